// Types of ./forward.js for the TypeScript CLI, which calls it when a server took the store while it was starting.
export function forwardToServer(args: string[], env?: NodeJS.ProcessEnv): Promise<number | undefined>;
