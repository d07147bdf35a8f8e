#!/usr/bin/env node
// The installed command. It lives outside dist/ on purpose: npm links a package's bin only if the
// file exists, and in a fresh checkout `npm install` runs before `npm run build` creates dist/.
import '../dist/main.js';
