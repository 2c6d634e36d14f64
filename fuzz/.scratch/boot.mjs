import { register } from 'node:module';
register('../engine/ts-hooks.mjs', import.meta.url);
await import('./probe.ts');
