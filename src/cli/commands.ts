// The `habitat` command tree as data, written at build time (bin/build.js → dist/cli/commands.json). With it, a command
// line is answered without loading every module: help and mistakes from the tree alone (commander without actions),
// a real command with the modules that registered it (plus the base ones, src/modules/catalogue.ts).
import { Argument, Command, Option } from 'commander';

export interface OptionSpec {
  flags: string;
  description: string;
  defaultValue?: unknown;
  defaultValueDescription?: string;
  choices?: string[];
  mandatory: boolean;
  hidden: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  aliases: string[];
  args: { name: string; description: string; required: boolean; variadic: boolean }[];
  options: OptionSpec[];
  commands: CommandSpec[];
  /** The module that registered this command; none for the platform's own (serve, migrate, purge): they need all. */
  module?: string;
}

export const HELP_AFTER_ERROR = '(ajoutez --help pour l’aide)';

/** The tree of `program`; `owners` says which module registered which command. */
export function describeCommand(c: Command, owners: Map<Command, string>): CommandSpec {
  return {
    name: c.name(),
    description: c.description(),
    aliases: c.aliases(),
    args: c.registeredArguments.map((a) => ({ name: a.name(), description: a.description, required: a.required, variadic: a.variadic })),
    options: c.options.map((o) => ({
      flags: o.flags,
      description: o.description,
      defaultValue: o.defaultValue,
      defaultValueDescription: o.defaultValueDescription,
      choices: o.argChoices,
      mandatory: o.mandatory,
      hidden: o.hidden,
    })),
    commands: c.commands.map((s) => describeCommand(s, owners)),
    module: owners.get(c),
  };
}

/** A commander program with the same commands, options and texts, and no actions: it can only help or refuse. */
export function programFromSpec(spec: CommandSpec): Command {
  const c = new Command(spec.name).description(spec.description).aliases(spec.aliases).showHelpAfterError(HELP_AFTER_ERROR);
  for (const a of spec.args) c.addArgument(new Argument(`${a.required ? '<' : '['}${a.name}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}`, a.description));
  for (const o of spec.options) {
    const option = new Option(o.flags, o.description).hideHelp(o.hidden);
    if (o.defaultValue !== undefined) option.default(o.defaultValue, o.defaultValueDescription);
    if (o.choices) option.choices(o.choices);
    if (o.mandatory) option.makeOptionMandatory();
    c.addOption(option);
  }
  for (const s of spec.commands) c.addCommand(programFromSpec(s));
  return c;
}

/**
 * What a command line needs: 'tree' when the tree answers it (help, a group without its sub-command, an unknown
 * command), else the modules to load ('all' for the platform's own commands).
 */
export function commandNeeds(tree: CommandSpec, argv: string[]): 'tree' | 'all' | string[] {
  const words = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (words.includes('--help') || words.includes('-h') || words[0] === 'help') return 'tree';
  let node = tree;
  for (const word of words) {
    if (word.startsWith('-') || !node.commands.length) break;
    const next = node.commands.find((s) => s.name === word || s.aliases.includes(word));
    if (!next) return 'tree';
    node = next;
  }
  if (node === tree || node.commands.length) return 'tree';
  return node.module ? [node.module] : 'all';
}

/**
 * Answers the command line from the tree when it can (help, unknown command, a group alone) and gives the exit code;
 * undefined when a command is to run. Commander writes to the terminal as the full program would.
 */
export function answerFromTree(tree: CommandSpec, argv: string[]): number | undefined {
  if (commandNeeds(tree, argv) !== 'tree') return undefined;
  const program = programFromSpec(tree);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) c.exitOverride();
  try {
    program.parse(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return typeof (err as { exitCode?: unknown }).exitCode === 'number' ? (err as { exitCode: number }).exitCode : 1;
  }
}
