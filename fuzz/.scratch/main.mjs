import { Worker } from 'node:worker_threads';
new Worker(new URL('./boot.mjs', import.meta.url), { execArgv: [] });
