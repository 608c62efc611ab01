// fastjson's JSON dialect (RocketMQ's wire and file format): a tolerant reader and a writer.
export { JsonErrorCodes, JsonSyntaxError, JsonWriteError } from './json-errors';
export {
  FASTJSON_MAX_DEPTH,
  fastjsonField,
  parseFastjson,
  type FastjsonObject,
  type FastjsonReadOptions,
  type FastjsonValue,
} from './fastjson-reader';
export {
  writeFastjson,
  writeFastjsonBytes,
  type FastjsonBean,
  type FastjsonMapKey,
  type FastjsonMode,
  type FastjsonWritable,
  type FastjsonWriteOptions,
} from './fastjson-writer';
