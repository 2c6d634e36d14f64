import type { Sample } from '../engine/sample.js';

/** A built-in starting input and the verdict it is built to get (an accepted format, or `refused:<reason>`). */
export interface Seed {
  name: string;
  sample: Sample;
  expect: string;
}
