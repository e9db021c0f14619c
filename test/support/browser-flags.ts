// Where Debian's Chromium is and the flags it runs with: shared by the browser tests and bench/lighthouse.ts (which
// runs outside Vitest, hence apart from test/support/browser.ts).
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium as root in a closed network: no sandbox, no background connections; WebGL through SwiftShader. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
