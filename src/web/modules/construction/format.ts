// What the construction pages share: labels of states (the module's model), the moves allowed from a state, dates.
import { canTransition, STATE_LABELS, STATES, type MatchStatus, type ProgrammeState } from '../../../modules/construction/model.ts';

/** The French label of a state the API names (a live change or an event carries it as plain text). */
export const stateLabel = (s: string | null | undefined) => (s ? (STATE_LABELS[s as ProgrammeState] ?? s) : '');

/** The states an agent may move a programme to from `from`: the module's own rule. */
export const nextStates = (from: ProgrammeState) => STATES.filter((to) => canTransition(from, to));

export const MATCH_LABELS: Record<MatchStatus, string> = { suggested: 'suggéré', confirmed: 'confirmé', rejected: 'rejeté' };

export const formatDate = (d: string | null | undefined) => (d ? new Date(`${d}T12:00:00Z`).toLocaleDateString('fr-FR') : '—');
