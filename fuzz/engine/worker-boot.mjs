// Entry point of a fuzz worker: TypeScript support (ts-hooks.mjs), source-mapped stack traces,
// then the fuzzing loop.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
process.setSourceMapsEnabled(true);
await import('./worker.ts');
