/** Runs the CLI from source (`node --import tsx src/cli/main-entry.ts …`), as bin/imago.js runs dist/. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
