// Progress of a long admin operation, reported after each step so a CLI can show "3/8 queues".

export interface Progress {
  readonly done: number;
  /** undefined when the end is not known in advance. */
  readonly total: number | undefined;
  /** What is counted, plural: "queues", "messages". */
  readonly unit: string;
}

export type ProgressListener = (progress: Progress) => void;
