#!/usr/bin/env node
/**
 * Entry point of the `iox-events` binary (`dist/cli.js`). Everything testable lives in `run.ts`;
 * this file only runs it against the real process, so importing it is running it.
 */
import { runCli } from './run';
import { terminalSafe } from './terminalText';

// `iox-events ... | head` closes the pipe early: that is a normal way to stop, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything was stopped and closed; should a stray handle remain, do not hang the shell.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    // runCli never rejects by contract; this is the last line of defence.
    process.stderr.write(`iox-events: ${terminalSafe(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 1;
  },
);
