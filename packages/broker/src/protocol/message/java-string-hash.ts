// Java's String.hashCode(), bit-exact. RocketMQ stores it on disk in two places, so it must match
// what a Java broker computed for the same string: the consume-queue tagsCode (the hash of the TAGS
// property, which consumers compare against the hashes of their subscription tags) and the index
// file's key hash. Java strings and JavaScript strings are both UTF-16, so hashing code units (not
// code points) gives the same result for any string, lone surrogates included.

/** `s.hashCode()` in Java: h = 31·h + code unit over UTF-16 code units, wrapping as a signed 32-bit int. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/**
 * The consume-queue tagsCode of a message with this TAGS property: its hash code, or 0 when the
 * message has no tag or an empty one (`MessageExtBrokerInner.tagsString2tagsCode`). On disk it is a
 * long; the int is sign-extended, which a JavaScript number does by itself.
 */
export function tagsCode(tags: string | undefined): number {
  return tags === undefined || tags.length === 0 ? 0 : javaStringHashCode(tags);
}

/**
 * The key hash an index file stores and slots by (`IndexFile.indexKeyHashMethod`): |hashCode|, and
 * 0 for Integer.MIN_VALUE, whose absolute value is still negative in Java.
 */
export function indexKeyHash(key: string): number {
  const h = javaStringHashCode(key);
  return h === -0x80000000 ? 0 : Math.abs(h);
}
