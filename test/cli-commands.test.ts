// The command tree the build writes (dist/cli/commands.json) decides which modules a command line loads: help from the
// tree alone, a module's command with that module (and the base ones), the platform's own commands with all.
import { describe, expect, it } from 'vitest';
import { commandNeeds, type CommandSpec } from '../src/cli/commands.ts';
import { describeCommands } from '../src/cli/main.ts';
import { MODULE_LOADERS } from '../src/modules/catalogue.ts';

const tree = JSON.parse(await describeCommands()) as CommandSpec;

describe('the command tree', () => {
  it('answers help, a group alone and an unknown command without loading a module', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help'], ['users'], ['import'], ['nope'], ['users', 'list', '--help'], ['import', 'dvf', '-h']])
      expect(commandNeeds(tree, argv), argv.join(' ')).toBe('tree');
  });

  it('loads the module that registered the command', () => {
    expect(commandNeeds(tree, ['users', 'list', '--operateur'])).toEqual(['access']);
    expect(commandNeeds(tree, ['import', 'dvf', 'a.csv'])).toEqual(['market']);
    expect(commandNeeds(tree, ['import', 'sitadel', 'a.csv'])).toEqual(['construction']);
  });

  it('loads every module for the platform’s own commands', () => {
    for (const name of ['serve', 'migrate', 'purge']) expect(commandNeeds(tree, [name])).toBe('all');
  });

  it('names only modules that exist, for every command', () => {
    const walk = (c: CommandSpec): string[] => [...(c.module ? [c.module] : []), ...c.commands.flatMap(walk)];
    const owners = new Set(walk(tree));
    expect(owners.size).toBeGreaterThan(5);
    for (const m of owners) expect(Object.keys(MODULE_LOADERS)).toContain(m);
  });
});
