// Every module of the platform, loaded (the list and its order: ./catalogue.ts). For the server, the tests and the
// scripts; the CLI loads only what a command needs.
import { loadModules } from './catalogue.ts';

export const modules = await loadModules();
