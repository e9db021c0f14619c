// Programmes delivered by developers and bailleurs through the referential feed `programmes-logements`: each accepted
// row creates or moves the partner's programme (keyed by organisation + identifiant_programme), never backwards.
import type { Db } from '../../platform/db.ts';
import type { InputProblem } from '../../platform/errors.ts';
import { canTransition, type ProgrammeState } from './model.ts';
import { applyState, createProgramme, getProgramme, updateProgramme, type LiveChange, type ProgrammeInput } from './store.ts';

export const PARTNER_SCHEMA = 'programmes-logements';

/** The shape `acceptedRows` of the referential store gives (kept here so this module depends on no other store's types). */
export interface PartnerRow {
  deliveryId: string;
  organisationId: string;
  receivedAt: Date;
  line: number;
  data: Record<string, string | number | boolean | null>;
}

const STATE_OF: Record<string, ProgrammeState> = {
  projet: 'projet',
  autorise: 'pc_accorde',
  'mis-en-chantier': 'chantier_ouvert',
  livre: 'livre',
  abandonne: 'abandonne',
};

/** Pure: a feed row as a programme, dated by the event the state names, else by the delivery. */
export function partnerProgramme(row: PartnerRow): { ref: string; input: ProgrammeInput; dates: Partial<Record<ProgrammeState, string>> } {
  const d = row.data;
  const s = (k: string) => (d[k] === null || d[k] === undefined || d[k] === '' ? undefined : String(d[k]));
  const n = (k: string) => Number(d[k] ?? 0) || 0;
  const received = row.receivedAt.toISOString().slice(0, 10);
  const state = STATE_OF[String(d.etat)] ?? 'projet';
  const dates: Partial<Record<ProgrammeState, string>> = {};
  if (s('date_autorisation')) dates.pc_accorde = s('date_autorisation');
  if (s('date_mise_en_chantier')) dates.chantier_ouvert = s('date_mise_en_chantier');
  if (state === 'livre') dates.livre = s('date_livraison_prevue') ?? received;
  return {
    ref: `partenaire:${row.organisationId}:${s('identifiant_programme')}`,
    dates,
    input: {
      nom: s('nom_programme') ?? String(d.identifiant_programme),
      code_commune: String(d.code_commune),
      adresse: s('adresse') ?? null,
      etat: state,
      date_etat: dates[state] ?? received,
      maitre_ouvrage: s('maitre_ouvrage_siren') ? `SIREN ${s('maitre_ouvrage_siren')}` : null,
      logements: n('nb_logements_total'),
      financement: { plai: n('nb_plai'), plus: n('nb_plus'), pls: n('nb_pls'), psla: n('nb_psla'), brs: n('nb_brs'), libre: n('nb_libre') },
      dates_etapes: {
        ...(dates.pc_accorde ? { date_autorisation: dates.pc_accorde } : {}),
        ...(dates.chantier_ouvert ? { date_chantier: dates.chantier_ouvert } : {}),
      },
    },
  };
}

export interface SyncSummary {
  lignes: number;
  crees: number;
  misAJour: number;
  inchanges: number;
  rejets: InputProblem[];
  changes: LiveChange[];
}

export async function syncPartnerProgrammes(db: Db, rows: PartnerRow[], author: string): Promise<SyncSummary> {
  const out: SyncSummary = { lignes: rows.length, crees: 0, misAJour: 0, inchanges: 0, rejets: [], changes: [] };
  for (const row of rows) {
    const { ref, input, dates } = partnerProgramme(row);
    const actor = { source: 'partenaire' as const, author, organisationId: row.organisationId };
    const where = { file: `livraison ${row.deliveryId}`, line: row.line };
    try {
      const existing = await db.selectFrom('construction_programme').select(['id', 'state']).where('source_ref', '=', ref).executeTakeFirst();
      if (!existing) {
        const r = await createProgramme(db, input, actor, ref);
        out.crees++;
        out.changes.push(...r.changes);
        continue;
      }
      const current = (await getProgramme(db, existing.id as string))!;
      const from = current.etat;
      const sameFigures =
        current.nom === input.nom && current.adresse === (input.adresse ?? null) && current.logements === input.logements &&
        Object.entries(input.financement ?? {}).every(([k, v]) => (current.financement as any)[k] === v);
      if (from === input.etat && sameFigures) {
        out.inchanges++;
        continue;
      }
      if (from !== input.etat && !canTransition(from, input.etat)) {
        out.rejets.push({ ...where, column: 'etat', rule: 'transition_interdite', value: String(row.data.etat), message: `le programme est déjà à l’état « ${from} » : il ne revient pas en arrière.` });
        continue;
      }
      if (!sameFigures) out.changes.push(...(await updateProgramme(db, current.id, { nom: input.nom, adresse: input.adresse, logements: input.logements, financement: input.financement }, actor)).changes);
      if (from !== input.etat) {
        await db.transaction().execute((trx) => applyState(trx, current.id, from, input.etat, dates[input.etat] ?? input.date_etat, actor, { livraison: row.deliveryId }));
        out.changes.push({ type: 'programme', id: current.id, commune: input.code_commune, de: from, etat: input.etat, source: 'partenaire', organisation: row.organisationId, at: new Date().toISOString() });
      }
      out.misAJour++;
    } catch (err) {
      out.rejets.push({ ...where, rule: (err as any).code ?? 'erreur', message: (err as Error).message });
    }
  }
  return out;
}
