import { Session } from 'node:inspector';
import { postSync } from '../engine/coverage.js';
import { inspectTarget } from '../targets/inspect.target.js';
import { inspectSeeds } from '../seeds/index.js';
const s = new Session(); s.connect();
postSync(s, 'Profiler.enable');
postSync(s, 'Profiler.startPreciseCoverage', { callCount: true, detailed: true });
const seeds = inspectSeeds();
for (let i = 0; i < 3; i++) for (const x of seeds) await inspectTarget.run(x.sample);
postSync(s, 'Profiler.takePreciseCoverage');
const q = seeds.find((x) => x.name === 'qcow2-v3')!.sample;
await inspectTarget.run(q);
const r = postSync(s, 'Profiler.takePreciseCoverage') as any;
let mine = 0, other = 0, fnsZero = 0, fns = 0;
const per: Record<string, number> = {};
for (const sc of r.result) for (const f of sc.functions) { fns++; if (f.ranges[0].count === 0) fnsZero++; const n = f.ranges.length; if (sc.url.includes('/src/formats/')) mine += n; else { other += n; per[sc.url] = (per[sc.url] ?? 0) + n; } }
console.log({ scripts: r.result.length, fns, fnsZero, mine, other, json: JSON.stringify(r).length });
console.log(Object.entries(per).sort((a, b) => b[1] - a[1]).slice(0, 10));
let t0 = performance.now();
for (let i = 0; i < 200; i++) { await inspectTarget.run(q); postSync(s, 'Profiler.takePreciseCoverage'); }
console.log('run+take ms', (performance.now() - t0) / 200);
t0 = performance.now();
for (let i = 0; i < 200; i++) { await inspectTarget.run(q); }
console.log('run ms', (performance.now() - t0) / 200);
t0 = performance.now();
for (let i = 0; i < 200; i++) { postSync(s, 'Profiler.takePreciseCoverage'); }
console.log('idle take ms', (performance.now() - t0) / 200);
