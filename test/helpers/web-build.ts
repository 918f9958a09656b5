import { build } from 'vite';

/** Builds the browser bundle (dist/web) once before the system tests, as `npm start` does. */
export default async function setup() {
  // vitest runs with NODE_ENV=test, which would make Vite emit a development bundle (dev JSX
  // runtime, debug branches): the tests load the same production bundle users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'src/web/vite.config.ts', mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
