// Typed errors with a stable code and a French message for people; the HTTP layer turns them into problem+json.

export class AppError extends Error {
  constructor(
    /** Stable machine code, e.g. `access.invalid_credentials` (`<module>.<snake_english>`, docs/decisions/0004-naming.md). */
    readonly code: string,
    /** French message shown to people. */
    message: string,
    readonly status = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('platform.not_found', `${what} introuvable.`, 404);
export const forbidden = (why = "Vous n'avez pas le droit d'accéder à cette ressource.") =>
  new AppError('access.forbidden', why, 403);
export const unauthenticated = () =>
  new AppError('access.unauthenticated', 'Vous devez être connecté pour accéder à cette ressource.', 401);

/** A rejected input line or cell: where it is, which rule it broke, the value, in French. */
export interface InputProblem {
  file: string;
  line: number;
  column?: string;
  rule: string;
  value?: string;
  message: string;
}

export function formatProblem(p: InputProblem): string {
  const where = [p.file, `ligne ${p.line}`, p.column ? `colonne « ${p.column} »` : undefined].filter(Boolean).join(', ');
  const value = p.value === undefined ? '' : ` (valeur : « ${p.value} »)`;
  return `${where} — règle ${p.rule} : ${p.message}${value}`;
}

/**
 * The one refusal of an input as a whole (a file, a sheet, a batch): nothing was written. HTTP 422, and the answer's
 * `details.problems` lists every problem with file, line, column, rule and value. Every module refuses this way.
 */
export function inputRefused(code: string, problems: InputProblem[], what = 'Le fichier'): AppError {
  const n = problems.length;
  return new AppError(code, `${what} est refusé : ${n} problème${n > 1 ? 's' : ''} (${formatProblem(problems[0])}${n > 1 ? ', …' : ''}). Rien n’a été enregistré.`, 422, { problems });
}
