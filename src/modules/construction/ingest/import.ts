// `habitat import sitadel`: one transaction per file, keyed by permit (type + number), so a re-import changes nothing
// and a newer edition only moves the permits that moved. Rejected lines are listed with file, line, column, rule, value.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { sql } from 'kysely';
import { insertInBatches, type Db } from '../../../platform/db.ts';
import type { InputProblem } from '../../../platform/errors.ts';
import { canTransition, PIPELINE, type ProgrammeState } from '../model.ts';
import { firstMatch, matchCandidates, recordMatch, stateDateColumn, type LiveChange } from '../store.ts';
import { readSitadel, SitadelFileError } from './sitadel.ts';
import { sitadelSteps, type SitadelPermit } from './sitadel-row.ts';

export interface SitadelSummary {
  fichier: string;
  dejaImporte: boolean;
  lus: number;
  crees: number;
  misAJour: number;
  inchanges: number;
  rejetes: number;
  avertissements: number;
  rapprochements: number;
  rejets: InputProblem[];
  dureeMs: number;
  changes: LiveChange[];
}

export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const permitKey = (p: { typeDau: string; numDau: string }) => `${p.typeDau}:${p.numDau}`;

function fingerprint(p: SitadelPermit): string {
  const { line: _l, warnings: _w, ...rest } = p;
  return createHash('sha1').update(JSON.stringify(rest)).digest('hex');
}

function programmeValues(p: SitadelPermit) {
  return {
    name: p.maitreOuvrage ? `${p.maitreOuvrage} — ${p.address ?? p.numDau}` : `${p.typeDau} ${p.numDau}${p.address ? ` — ${p.address}` : ''}`,
    commune_code: p.communeCode,
    address: p.address,
    maitre_ouvrage: p.maitreOuvrage,
    units: p.units,
    lls_non_ventile: p.locatifSocial,
    accession_non_ventilee: p.accessionAidee,
    libre: p.units - p.locatifSocial - p.accessionAidee,
    individuel_pur: p.individuelPur,
    individuel_groupe: p.individuelGroupe,
    collectif: p.collectif,
    residence: p.residence,
  };
}

function permitValues(p: SitadelPermit, programmeId: string) {
  return {
    type_dau: p.typeDau,
    num_dau: p.numDau,
    programme_id: programmeId,
    commune_code: p.communeCode,
    etat: p.etat,
    date_autorisation: p.dateAutorisation,
    date_chantier: p.dateChantier,
    date_achevement: p.dateAchevement,
    units: p.units,
    source: 'sitadel',
    fingerprint: fingerprint(p),
  };
}

export async function importSitadel(db: Db, path: string, opts: { force?: boolean; author?: string } = {}): Promise<SitadelSummary> {
  const started = Date.now();
  const name = basename(path);
  const author = opts.author ?? `import Sitadel (${name})`;
  const summary: SitadelSummary = { fichier: name, dejaImporte: false, lus: 0, crees: 0, misAJour: 0, inchanges: 0, rejetes: 0, avertissements: 0, rapprochements: 0, rejets: [], dureeMs: 0, changes: [] };
  const hash = await fileSha256(path);
  if (!opts.force && (await db.selectFrom('construction_import').select('file_hash').where('file_hash', '=', hash).executeTakeFirst())) {
    summary.dejaImporte = true;
    summary.dureeMs = Date.now() - started;
    return summary;
  }

  // Read the whole file first: nothing is written if the file itself is unreadable.
  const permits: SitadelPermit[] = [];
  const seen = new Map<string, number>();
  const reject = (p: InputProblem) => summary.rejets.push(p);
  try {
    for await (const item of readSitadel(path, name)) {
      summary.lus++;
      if (item.problems) {
        summary.rejetes++;
        item.problems.forEach(reject);
        continue;
      }
      const key = permitKey(item.permit);
      if (seen.has(key)) {
        summary.rejetes++;
        reject({ file: name, line: item.permit.line, column: 'NUM_DAU', rule: 'doublon_dans_le_fichier', value: item.permit.numDau, message: `ce permis figure déjà ligne ${seen.get(key)}.` });
        continue;
      }
      seen.set(key, item.permit.line);
      if (item.permit.warnings.length) summary.avertissements++;
      permits.push(item.permit);
    }
  } catch (err) {
    if (err instanceof SitadelFileError) {
      summary.rejets.push(err.problem);
      summary.dureeMs = Date.now() - started;
      return summary;
    }
    throw err;
  }

  const codes = [...new Set(permits.map((p) => p.communeCode))];
  const known = new Set(codes.length ? (await db.selectFrom('commune').select('code').where('code', 'in', codes).execute()).map((r) => r.code as string) : []);
  const valid = permits.filter((p) => {
    if (known.has(p.communeCode)) return true;
    summary.rejetes++;
    reject({ file: name, line: p.line, column: 'COMM', rule: 'commune_inconnue', value: p.communeCode, message: 'commune absente du code officiel géographique.' });
    return false;
  });

  await db.transaction().execute(async (trx) => {
    const existing = new Map<string, { programmeId: string; fingerprint: string; state: ProgrammeState }>();
    const rows = await trx
      .selectFrom('construction_permit as cp')
      .innerJoin('construction_programme as p', 'p.id', 'cp.programme_id')
      .select(['cp.type_dau', 'cp.num_dau', 'cp.programme_id', 'cp.fingerprint', 'p.state'])
      .where('cp.source', '=', 'sitadel')
      .execute();
    for (const r of rows as any[]) existing.set(`${r.type_dau}:${r.num_dau}`, { programmeId: r.programme_id, fingerprint: r.fingerprint, state: r.state });

    const newProgrammes: any[] = [];
    const newPermits: any[] = [];
    const newEvents: any[] = [];
    const created: { id: string; permit: SitadelPermit }[] = [];
    for (const p of valid) {
      const steps = sitadelSteps(p);
      const old = existing.get(permitKey(p));
      if (!old) {
        const id = randomUUID();
        const last = steps[steps.length - 1];
        const dates: Record<string, string> = {};
        for (const s of steps) {
          const col = stateDateColumn(s.state);
          if (col) dates[col] = s.date;
        }
        newProgrammes.push({ id, ...programmeValues(p), state: last.state, state_since: last.date, source: 'sitadel', source_ref: `sitadel:${p.typeDau}:${p.numDau}`, date_autorisation: null, date_chantier: null, date_livraison: null, ...dates });
        newPermits.push(permitValues(p, id));
        steps.forEach((s, i) =>
          newEvents.push({ programme_id: id, kind: i === 0 ? 'creation' : 'etat', from_state: i === 0 ? null : steps[i - 1].state, to_state: s.state, event_date: s.date, source: 'sitadel', author, detail: null }),
        );
        created.push({ id, permit: p });
        continue;
      }
      if (old.fingerprint === fingerprint(p)) {
        summary.inchanges++;
        continue;
      }
      // A newer edition: move the programme forward through the steps it has not seen yet; never backwards.
      const target = steps[steps.length - 1].state;
      if (target !== old.state && !canTransition(old.state, target)) {
        summary.rejetes++;
        reject({ file: name, line: p.line, column: 'ETAT_DAU', rule: 'transition_interdite', value: p.etat, message: `le programme est déjà à l’état « ${old.state} » : un permis ne revient pas en arrière.` });
        continue;
      }
      let state = old.state;
      for (const s of steps) {
        if (s.state === state || !canTransition(state, s.state)) continue;
        if (s.state !== 'abandonne' && PIPELINE.indexOf(s.state) <= PIPELINE.indexOf(state)) continue;
        newEvents.push({ programme_id: old.programmeId, kind: 'etat', from_state: state, to_state: s.state, event_date: s.date, source: 'sitadel', author, detail: null });
        summary.changes.push({ type: 'programme', id: old.programmeId, commune: p.communeCode, de: state, etat: s.state, source: 'sitadel', at: new Date().toISOString() });
        state = s.state;
      }
      const dates: Record<string, string | null> = {};
      for (const s of steps) {
        const col = stateDateColumn(s.state);
        if (col) dates[col] = s.date;
      }
      const since = steps.find((s) => s.state === state)?.date;
      await trx
        .updateTable('construction_programme')
        .set({ ...programmeValues(p), ...dates, state, ...(since && state !== old.state ? { state_since: since } : {}), updated_at: sql`now()` })
        .where('id', '=', old.programmeId)
        .execute();
      const { type_dau: _t, num_dau: _n, ...permitSet } = permitValues(p, old.programmeId);
      await trx.updateTable('construction_permit').set({ ...permitSet, updated_at: sql`now()` }).where('type_dau', '=', p.typeDau).where('num_dau', '=', p.numDau).execute();
      summary.misAJour++;
    }
    await insertInBatches(trx, 'construction_programme', newProgrammes, 400);
    await insertInBatches(trx, 'construction_permit', newPermits, 500);
    await insertInBatches(trx, 'construction_event', newEvents, 1000);
    summary.crees = created.length;

    // The same operations may already be known from a partner or an agent: link them, never count them twice.
    const pool = await matchCandidates(trx, [...new Set(created.map((c) => c.permit.communeCode))], { excludeSource: 'sitadel' });
    for (const c of created) {
      if (!pool.length) break;
      const m = firstMatch({ id: c.id, source: 'sitadel', communeCode: c.permit.communeCode, permits: [c.permit.numDau], address: c.permit.address, units: c.permit.units }, pool);
      if (!m) continue;
      await recordMatch(trx, c.id, 'sitadel', m, author);
      pool.splice(pool.indexOf(m.other), 1);
      summary.rapprochements++;
    }
    await trx
      .insertInto('construction_import')
      .values({ file_hash: hash, file_name: name, rows: summary.lus })
      .onConflict((oc) => oc.column('file_hash').doUpdateSet({ imported_at: sql`now()` }))
      .execute();
  });
  summary.dureeMs = Date.now() - started;
  summary.changes.unshift({ type: 'import', source: 'sitadel', detail: `${name} : ${summary.crees} créés, ${summary.misAJour} mis à jour, ${summary.rejetes} rejetés`, at: new Date().toISOString() });
  return summary;
}
