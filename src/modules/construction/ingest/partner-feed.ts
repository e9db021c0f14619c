// Reader of the referential feed `programmes-logements` (the partners' contract, its field names kept as published):
// each accepted row of a developer's or a bailleur's delivery becomes a programme, keyed by organisation and
// `identifiant_programme`, dated by the event its state names, else by the delivery. Pure.
import type { ProgrammeState } from '../model.ts';

export const PARTNER_SCHEMA = 'programmes-logements';

/** The shape `acceptedRows` of the referential gives (kept here so this module depends on no other store's types). */
export interface PartnerRow {
  deliveryId: string;
  organisationId: string;
  receivedAt: Date;
  line: number;
  data: Record<string, string | number | boolean | null>;
}

const STATE_OF: Record<string, ProgrammeState> = {
  projet: 'project',
  autorise: 'permit_granted',
  'mis-en-chantier': 'works_started',
  livre: 'delivered',
  abandonne: 'abandoned',
};

export interface PartnerProgramme {
  /** Its identity in its source: "partner:<organisation>:<identifiant_programme>". */
  ref: string;
  name: string;
  communeCode: string;
  address: string | null;
  state: ProgrammeState;
  stateDate: string;
  projectOwner: string | null;
  dwellings: number;
  financing: { plai: number; plus: number; pls: number; psla: number; brs: number; free_market: number };
  /** Dates of the earlier steps the partner gives (a programme already under way gives its permit date). */
  stepDates: { authorisation_date?: string; works_start_date?: string };
  /** The date of each state the row names. */
  dates: Partial<Record<ProgrammeState, string>>;
}

export function partnerProgramme(row: PartnerRow): PartnerProgramme {
  const d = row.data;
  const s = (k: string) => (d[k] === null || d[k] === undefined || d[k] === '' ? undefined : String(d[k]));
  const n = (k: string) => Number(d[k] ?? 0) || 0;
  const received = row.receivedAt.toISOString().slice(0, 10);
  const state = STATE_OF[String(d.etat)] ?? 'project';
  const dates: Partial<Record<ProgrammeState, string>> = {};
  if (s('date_autorisation')) dates.permit_granted = s('date_autorisation');
  if (s('date_mise_en_chantier')) dates.works_started = s('date_mise_en_chantier');
  if (state === 'delivered') dates.delivered = s('date_livraison_prevue') ?? received;
  return {
    ref: `partner:${row.organisationId}:${s('identifiant_programme')}`,
    name: s('nom_programme') ?? String(d.identifiant_programme),
    communeCode: String(d.code_commune),
    address: s('adresse') ?? null,
    state,
    stateDate: dates[state] ?? received,
    projectOwner: s('maitre_ouvrage_siren') ? `SIREN ${s('maitre_ouvrage_siren')}` : null,
    dwellings: n('nb_logements_total'),
    financing: { plai: n('nb_plai'), plus: n('nb_plus'), pls: n('nb_pls'), psla: n('nb_psla'), brs: n('nb_brs'), free_market: n('nb_libre') },
    stepDates: {
      ...(dates.permit_granted ? { authorisation_date: dates.permit_granted } : {}),
      ...(dates.works_started ? { works_start_date: dates.works_started } : {}),
    },
    dates,
  };
}
