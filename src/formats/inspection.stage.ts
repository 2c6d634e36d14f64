/**
 * Puts the streaming inspector into an upload pipeline: every chunk is shown to it before it
 * moves on, a refusal that is already certain fails the stream at once (so a hostile upload
 * stops after its header, not after gigabytes), and the final verdict is kept for the caller.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { refusalError, StreamingInspector, type AcceptedVerdict, type InspectOptions } from './inspect/index.js';

export class InspectionStage extends Transform {
  private readonly inspector: StreamingInspector;
  private accepted: AcceptedVerdict | null = null;

  constructor(options: InspectOptions) {
    super();
    this.inspector = new StreamingInspector(options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const refusal = this.inspector.push(chunk);
    if (refusal) callback(refusalError(refusal));
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const verdict = this.inspector.finish();
    if (!verdict.ok) return callback(refusalError(verdict));
    this.accepted = verdict;
    callback();
  }

  /** The accepted verdict, once the stream has ended without a refusal. */
  get verdict(): AcceptedVerdict {
    if (!this.accepted) throw new Error('the inspected stream has not finished');
    return this.accepted;
  }
}
