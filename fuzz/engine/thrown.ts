/**
 * Finds where an exception that the code under test caught was thrown. When a target reports an
 * internal error that was turned into a result, the original stack is gone; running the input
 * again with the debugger set to pause on every exception recovers it. The pause is answered
 * synchronously from the same thread: the handler records the exception and resumes at once.
 *
 * Never in the fuzzing worker: enabling the debugger in a thread disturbs V8's coverage counts
 * there for good (blocks then come and go between runs of the same input).
 */
import { Session } from 'node:inspector';
import { postSync } from './coverage.js';
import type { Sample } from './sample.js';
import type { Target } from './target.js';

interface Paused {
  params: { reason: string; data?: { className?: string; description?: string } };
}

/** Runs `fn` and returns the descriptions (with stacks) of the exceptions thrown meanwhile, caught or not. */
async function exceptionsThrownBy(fn: () => Promise<unknown>): Promise<string[]> {
  const session = new Session();
  session.connect();
  const thrown: string[] = [];
  session.on('Debugger.paused', (message: Paused) => {
    const { reason, data } = message.params;
    if (reason === 'exception' || reason === 'promiseRejection') thrown.push(data?.description ?? data?.className ?? 'unknown exception');
    postSync(session, 'Debugger.resume');
  });
  postSync(session, 'Debugger.enable');
  postSync(session, 'Debugger.setPauseOnExceptions', { state: 'all' });
  try {
    await fn();
  } catch {
    // The exception itself is recorded above.
  } finally {
    postSync(session, 'Debugger.setPauseOnExceptions', { state: 'none' });
    postSync(session, 'Debugger.disable');
    session.disconnect();
  }
  return thrown;
}

/** The exceptions `target` throws on `sample` that it does not expect (see Target.isExpectedException). */
export async function thrownBy(target: Target, sample: Sample): Promise<string[]> {
  return (await exceptionsThrownBy(() => target.run(sample))).filter((d) => !target.isExpectedException(d));
}
