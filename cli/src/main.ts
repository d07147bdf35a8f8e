#!/usr/bin/env node
import { run } from './run.js';

// exitCode rather than process.exit(): stdout is flushed before the process ends, even when piped.
process.exitCode = await run(process.argv);
