import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleDir } from './index.js';

describe('@glance-import/console', () => {
  it('consoleDir() is the built app of this package, from sources as from dist', () => {
    expect(consoleDir()).toBe(`${path.resolve(import.meta.dirname, '..', 'dist', 'app')}${path.sep}`);
    if (existsSync(consoleDir())) expect(existsSync(path.join(consoleDir(), 'index.html'))).toBe(true);
  });

  it('the CSP allows only own files and calls: no inline code, no framing, Trusted Types on', () => {
    const directives = new Map(CONSOLE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('require-trusted-types-for')).toBe("'script'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-(inline|eval)/);
  });
});
