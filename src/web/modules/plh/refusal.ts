// An import refused as a whole (422, `details.problems`): the French message and the first problems, each saying where.
import { formatProblem, type InputProblem } from '../../../platform/errors.ts';

export function refusalText(body: { detail?: string; details?: { problems?: InputProblem[] } }, status: number): string {
  const problems = body.details?.problems ?? [];
  return [body.detail ?? `Erreur ${status}`, ...problems.slice(0, 20).map(formatProblem)].join(' ; ') + (problems.length > 20 ? ' ; …' : '');
}
