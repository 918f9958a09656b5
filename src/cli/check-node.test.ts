import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const { nodeSupported, advice } = createRequire(import.meta.url)('./check-node.cjs') as {
  nodeSupported(version: string): boolean;
  advice(version: string): string;
};

describe('the Node version check before npm start and npm test', () => {
  it('accepts the versions that run .ts files without a flag, and no others', () => {
    for (const v of ['v22.18.0', 'v22.20.1', 'v23.6.0', 'v23.11.1', 'v24.0.0', 'v24.21.0', 'v25.1.0', 'v100.0.0']) expect(nodeSupported(v), v).toBe(true);
    for (const v of ['v22.17.1', 'v22.6.0', 'v23.5.0', 'v20.20.2', 'v18.20.8', 'v8.17.0', 'v0.10.48', 'nonsense']) expect(nodeSupported(v), v).toBe(false);
  });

  it('says in one line which version is needed and how to get it', () => {
    const line = advice('v20.20.2');
    expect(line).not.toContain('\n');
    expect(line).toContain('22.18');
    expect(line).toContain('v20.20.2');
    expect(line).toContain('npm install -g --force node@24');
  });

  it('lets this Node through silently', () => {
    expect(execFileSync(process.execPath, [new URL('./check-node.cjs', import.meta.url).pathname], { encoding: 'utf8', stdio: 'pipe' })).toBe('');
  });
});
