// The benchmarks' command-line options: `--name value` and `--flag`.
const argv = process.argv.slice(2);

export function arg(name: string): string | undefined;
export function arg(name: string, fallback: string): string;
export function arg(name: string, fallback?: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
}

export const flag = (name: string) => argv.includes(`--${name}`);
