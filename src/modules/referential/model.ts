// The validator: a schema compiled once, then fed a header and rows one at a time, so a delivery of any size is
// checked in one pass with memory bounded by the uniqueness keys and a capped list of detailed problems.
import { compileParser, expectedWriting, TYPE_LABELS, type CellValue, type FieldType, type Parsed } from './values.ts';
import { primaryKeyOf, type Policy, type SchemaField, type TableSchema } from './schema.ts';

export type { Policy, TableSchema } from './schema.ts';


/** Stable rule codes: they appear in reports and in the API, partners may key on them. */
type Rule =
  | 'colonne-manquante'
  | 'colonne-inconnue'
  | 'colonne-en-double'
  | 'ordre-des-colonnes'
  | 'fichier-vide'
  | 'format-fichier'
  | 'nombre-de-cellules'
  | 'obligatoire'
  | 'type'
  | 'enum'
  | 'motif'
  | 'minimum'
  | 'maximum'
  | 'longueur-min'
  | 'longueur-max'
  | 'unicite'
  | 'cle-primaire'
  | 'reference'
  | 'producteur'
  | 'somme'
  | 'inferieur-ou-egal';

type Severity = 'erreur' | 'avertissement';

interface Problem {
  /** Line in the file (the header is line 1); for JSON, the record number. 0 for the file as a whole. */
  line: number;
  column?: string;
  rule: Rule;
  value?: string;
  severity: Severity;
  message: string;
  /** How to fix it, in plain French. */
  fix: string;
}

export type DeliveryStatus = 'acceptee' | 'partielle' | 'refusee';
export const STATUS_LABELS: Record<DeliveryStatus, string> = {
  acceptee: 'Acceptée',
  partielle: 'Acceptée en partie',
  refusee: 'Refusée',
};

interface ReportSummary {
  rowsTotal: number;
  rowsValid: number;
  rowsInvalid: number;
  rowsAccepted: number;
  errors: number;
  warnings: number;
  byRule: Record<string, number>;
  byColumn: Record<string, number>;
}

export interface ValidationReport {
  schema: { name: string; version: string; title: string };
  policy: Policy;
  status: DeliveryStatus;
  /** One sentence for people: what happened to the delivery. */
  verdict: string;
  summary: ReportSummary;
  header: Problem[];
  problems: Problem[];
  /** True when more problems were found than kept in `problems` (the counts stay exact). */
  truncated: boolean;
  file?: { name?: string; format: 'csv' | 'json'; encoding?: string; delimiter?: string };
}

export interface ValidationContext {
  /** INSEE codes of the territory's communes; reference checks are skipped when absent. */
  communes?: ReadonlySet<string>;
  /**
   * The SIREN of the organisation the file is delivered for (null: none recorded). When given, a row whose
   * producer column (`PRODUCER_SIREN_COLUMNS`) names another organisation is refused: a partner delivers for itself.
   */
  producerSiren?: string | null;
}

/** Columns that name the organisation whose data a row is: the landlord of a building, the developer of a programme. */
const PRODUCER_SIREN_COLUMNS = ['bailleur_siren', 'maitre_ouvrage_siren'];

export type Row = Record<string, CellValue | null>;
type RowOutcome = { valid: true; data: Row } | { valid: false; data: Row };

interface CompiledField {
  field: SchemaField;
  required: boolean;
  parse: (raw: string) => Parsed;
  checks: Array<(v: CellValue, raw: string) => Omit<Problem, 'line' | 'column' | 'severity'> | null>;
  unique: boolean;
  reference: boolean;
}

export interface CompiledSchema {
  schema: TableSchema;
  fields: CompiledField[];
  missing: Set<string>;
  primaryKey: string[];
}

const quote = (v: unknown) => `« ${String(v)} »`;

export function compileSchema(schema: TableSchema): CompiledSchema {
  const pk = primaryKeyOf(schema);
  const refs = new Set(schema['x-habitat'].references.map((r) => r.champ));
  const fields = schema.fields.map((field): CompiledField => {
    const c = field.constraints ?? {};
    return {
      field,
      // A one-column primary key implies required and unique (Table Schema).
      required: !!c.required || (pk.length === 1 && pk[0] === field.name) || pk.includes(field.name),
      // The catalogue checked the type against FIELD_TYPES when it loaded the schema (schema.ts).
      parse: compileParser({ ...field, type: field.type as FieldType }),
      checks: compileChecks(field),
      unique: !!c.unique || (pk.length === 1 && pk[0] === field.name),
      reference: refs.has(field.name),
    };
  });
  return { schema, fields, missing: new Set(schema.missingValues ?? ['']), primaryKey: pk.length > 1 ? pk : [] };
}

function compileChecks(field: SchemaField): CompiledField['checks'] {
  const c = field.constraints ?? {};
  const checks: CompiledField['checks'] = [];
  if (c.enum) {
    const allowed = new Set(c.enum.map(String));
    const list = c.enum.map((v) => quote(v)).join(', ');
    checks.push((v) =>
      allowed.has(String(v))
        ? null
        : { rule: 'enum', value: String(v), message: `La valeur ${quote(v)} ne fait pas partie de la liste autorisée.`, fix: `Utilisez l'une des valeurs : ${list} (en respectant les minuscules et les accents).` },
    );
  }
  if (c.pattern) {
    const re = new RegExp(`^(?:${c.pattern})$`);
    const example = field.example !== undefined ? `, par exemple ${quote(field.example)}` : '';
    checks.push((_v, raw) =>
      re.test(raw) ? null : { rule: 'motif', value: raw, message: `La valeur ${quote(raw)} n'a pas la forme attendue.`, fix: `Respectez la forme décrite pour cette colonne (${field.description.replace(/\.$/, '')})${example}.` },
    );
  }
  if (c.minLength !== undefined) {
    const n = c.minLength;
    checks.push((v) => (String(v).length >= n ? null : { rule: 'longueur-min', value: String(v), message: `Le texte est trop court (${String(v).length} caractères, au moins ${n} attendus).`, fix: `Complétez la valeur pour qu'elle compte au moins ${n} caractères.` }));
  }
  if (c.maxLength !== undefined) {
    const n = c.maxLength;
    checks.push((v) => (String(v).length <= n ? null : { rule: 'longueur-max', value: String(v).slice(0, 80), message: `Le texte est trop long (${String(v).length} caractères, ${n} au plus).`, fix: `Raccourcissez la valeur à ${n} caractères au plus.` }));
  }
  if (c.minimum !== undefined) {
    const min = c.minimum;
    checks.push((v) => ((v as number | string) >= min ? null : { rule: 'minimum', value: String(v), message: `La valeur ${quote(v)} est inférieure au minimum autorisé (${min}).`, fix: `Indiquez une valeur supérieure ou égale à ${min}${unit(field)}.` }));
  }
  if (c.maximum !== undefined) {
    const max = c.maximum;
    checks.push((v) => ((v as number | string) <= max ? null : { rule: 'maximum', value: String(v), message: `La valeur ${quote(v)} dépasse le maximum autorisé (${max}).`, fix: `Indiquez une valeur inférieure ou égale à ${max}${unit(field)} ; vérifiez l'unité.` }));
  }
  return checks;
}

const unit = (f: SchemaField) => (f['x-unite'] ? ` (${f['x-unite']})` : '');

/** The rule outcome of a whole delivery, from its policy and counts. */
export function decide(
  policy: Policy,
  r: { headerBlocking: boolean; rowsTotal: number; rowsValid: number },
): { status: DeliveryStatus; rowsAccepted: number; verdict: string } {
  if (r.headerBlocking)
    return { status: 'refusee', rowsAccepted: 0, verdict: "Livraison refusée : l'en-tête du fichier ne correspond pas au schéma. Aucune ligne n'est enregistrée." };
  if (r.rowsValid === r.rowsTotal)
    return {
      status: 'acceptee',
      rowsAccepted: r.rowsTotal,
      verdict: r.rowsTotal === 0 ? 'Livraison acceptée : le fichier ne contient aucune ligne (rien à déclarer sur la période).' : `Livraison acceptée : les ${r.rowsTotal} lignes sont valides.`,
    };
  if (policy === 'tout-ou-rien')
    return {
      status: 'refusee',
      rowsAccepted: 0,
      verdict: `Livraison refusée : ${r.rowsTotal - r.rowsValid} ligne(s) sur ${r.rowsTotal} comportent des erreurs, et ce schéma n'accepte une livraison que si toutes ses lignes sont valides (politique « tout ou rien »).`,
    };
  if (r.rowsValid === 0)
    return { status: 'refusee', rowsAccepted: 0, verdict: `Livraison refusée : aucune des ${r.rowsTotal} lignes n'est valide.` };
  return {
    status: 'partielle',
    rowsAccepted: r.rowsValid,
    verdict: `Livraison acceptée en partie : ${r.rowsValid} ligne(s) valides enregistrées, ${r.rowsTotal - r.rowsValid} refusée(s) (politique « ligne à ligne »). Corrigez les lignes refusées et livrez-les à nouveau.`,
  };
}

export interface Validator {
  /** Must be called once, before any row. Column names are matched by name, after trimming. */
  header(names: string[]): Problem[];
  row(cells: string[], line: number): RowOutcome;
  /** A problem with the file as a whole (unreadable, not CSV…). */
  fileProblem(p: Omit<Problem, 'severity' | 'line'> & { line?: number }): void;
  report(file?: ValidationReport['file']): ValidationReport;
}

export function createValidator(compiled: CompiledSchema, ctx: ValidationContext = {}, opts: { maxProblems?: number } = {}): Validator {
  const { schema, fields, missing, primaryKey } = compiled;
  const maxProblems = opts.maxProblems ?? 1000;
  const controls = schema['x-habitat'].controles;
  const policy = schema['x-habitat'].politique;
  let indexOf: number[] = []; // schema field -> position in the file, -1 when absent
  let headerWidth = 0;
  let headerProblems: Problem[] = [];
  let headerBlocking = false;
  let headerSeen = false;
  const problems: Problem[] = [];
  let dropped = 0;
  const uniques = fields.map((f) => (f.unique ? new Map<string, number>() : null));
  const pkSeen = primaryKey.length ? new Map<string, number>() : null;
  const summary: ReportSummary = { rowsTotal: 0, rowsValid: 0, rowsInvalid: 0, rowsAccepted: 0, errors: 0, warnings: 0, byRule: {}, byColumn: {} };

  const record = (p: Problem) => {
    if (p.severity === 'erreur') summary.errors++;
    else summary.warnings++;
    summary.byRule[p.rule] = (summary.byRule[p.rule] ?? 0) + 1;
    if (p.column) summary.byColumn[p.column] = (summary.byColumn[p.column] ?? 0) + 1;
    if (problems.length < maxProblems) problems.push(p);
    else dropped++;
  };

  return {
    header(rawNames) {
      headerSeen = true;
      const names = rawNames.map((n, i) => (i === 0 ? n.replace(/^\uFEFF/, '') : n).trim());
      headerWidth = names.length;
      const out: Problem[] = [];
      const seen = new Map<string, number>();
      names.forEach((n, i) => {
        if (seen.has(n))
          out.push({ line: 1, column: n, rule: 'colonne-en-double', severity: 'erreur', message: `La colonne ${quote(n)} apparaît deux fois (positions ${seen.get(n)! + 1} et ${i + 1}).`, fix: 'Supprimez ou renommez la colonne en double.' });
        else seen.set(n, i);
      });
      const known = new Set(fields.map((f) => f.field.name));
      indexOf = fields.map((f) => seen.get(f.field.name) ?? -1);
      fields.forEach((f, i) => {
        if (indexOf[i] >= 0) return;
        const close = names.find((n) => n.toLowerCase().replace(/[\s-]/g, '_') === f.field.name);
        out.push({
          line: 1,
          column: f.field.name,
          rule: 'colonne-manquante',
          severity: f.required ? 'erreur' : 'avertissement',
          message: f.required ? `La colonne obligatoire ${quote(f.field.name)} est absente.` : `La colonne facultative ${quote(f.field.name)} est absente : ses valeurs seront considérées comme vides.`,
          fix: close ? `Renommez la colonne ${quote(close)} en ${quote(f.field.name)} (le nom doit être écrit exactement ainsi).` : `Ajoutez la colonne ${quote(f.field.name)} (${f.field.description.replace(/\.$/, '')}).`,
        });
      });
      for (const n of names)
        if (!known.has(n) && n !== '')
          out.push({ line: 1, column: n, rule: 'colonne-inconnue', severity: 'avertissement', message: `La colonne ${quote(n)} ne fait pas partie du schéma : elle est ignorée.`, fix: `Retirez-la, ou vérifiez son nom parmi : ${fields.map((f) => f.field.name).join(', ')}.` });
      const presentOrder = names.filter((n) => known.has(n));
      const expectedOrder = fields.map((f) => f.field.name).filter((n) => seen.has(n));
      if (presentOrder.join('\u0001') !== expectedOrder.join('\u0001') && !out.some((p) => p.rule === 'colonne-en-double'))
        out.push({ line: 1, rule: 'ordre-des-colonnes', severity: 'avertissement', message: "Les colonnes ne sont pas dans l'ordre du schéma ; elles sont reconnues par leur nom.", fix: `Pour un fichier conforme, placez les colonnes dans cet ordre : ${expectedOrder.join(', ')}.` });
      headerProblems = out;
      headerBlocking = out.some((p) => p.severity === 'erreur');
      for (const p of out) {
        if (p.severity === 'erreur') summary.errors++;
        else summary.warnings++;
        summary.byRule[p.rule] = (summary.byRule[p.rule] ?? 0) + 1;
      }
      return out;
    },

    row(cells, line) {
      if (!headerSeen) throw new Error('header() must be called before row()');
      summary.rowsTotal++;
      let valid = true;
      const data: Row = {};
      const fail = (p: Omit<Problem, 'line' | 'severity'>) => {
        valid = false;
        record({ line, severity: 'erreur', ...p });
      };
      if (cells.length !== headerWidth)
        fail({ rule: 'nombre-de-cellules', value: String(cells.length), message: `La ligne compte ${cells.length} cellule(s) alors que l'en-tête en compte ${headerWidth}.`, fix: "Vérifiez les séparateurs : une valeur contenant le séparateur doit être entourée de guillemets." });
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        const name = f.field.name;
        const at = indexOf[i];
        const raw = at >= 0 && at < cells.length ? cells[at].trim() : '';
        if (missing.has(raw)) {
          data[name] = null;
          // A missing required column is reported once in the header, not on every row.
          if (f.required && at >= 0) fail({ column: name, rule: 'obligatoire', value: raw, message: `La valeur de ${quote(name)} est obligatoire et manque.`, fix: `Renseignez ${quote(name)} : ${f.field.description.replace(/\.$/, '')}.` });
          else if (f.required) valid = false;
          continue;
        }
        const parsed = f.parse(raw);
        if (!parsed.ok) {
          data[name] = null;
          fail({ column: name, rule: 'type', value: raw, message: `La valeur ${quote(raw)} n'est pas du type attendu (${TYPE_LABELS[f.field.type as FieldType] ?? f.field.type}).`, fix: `Écrivez ${expectedWriting({ ...f.field, type: f.field.type as FieldType })}.` });
          continue;
        }
        data[name] = parsed.value;
        let cellOk = true;
        for (const check of f.checks) {
          const p = check(parsed.value, raw);
          if (p) {
            cellOk = false;
            fail({ column: name, ...p });
          }
        }
        if (!cellOk) {
          data[name] = null; // so that cross-field controls do not report the same cell twice
          continue;
        }
        if (ctx.producerSiren !== undefined && PRODUCER_SIREN_COLUMNS.includes(name) && String(parsed.value) !== ctx.producerSiren)
          fail({
            column: name,
            rule: 'producteur',
            value: raw,
            message: ctx.producerSiren
              ? `Ligne ${line} : la colonne ${quote(name)} nomme l’organisation ${quote(raw)}, mais la livraison est faite au nom de l’organisation ${ctx.producerSiren} : un partenaire ne livre que ses propres données.`
              : `Ligne ${line} : la colonne ${quote(name)} nomme l’organisation ${quote(raw)}, mais aucun SIREN n’est enregistré pour l’organisation qui livre : ses lignes ne peuvent pas être rattachées à elle.`,
            fix: ctx.producerSiren
              ? `Ne livrez que les lignes de votre organisation (${name} = ${ctx.producerSiren}) ; chaque partenaire livre les siennes avec sa propre clé.`
              : 'Demandez à l’administrateur de votre EPCI d’enregistrer le SIREN de votre organisation.',
          });
        if (f.reference && ctx.communes && !ctx.communes.has(String(parsed.value)))
          fail({ column: name, rule: 'reference', value: raw, message: `Le code commune ${quote(raw)} n'est pas une commune du territoire.`, fix: "Utilisez le code INSEE à 5 caractères d'une commune du territoire, et non son code postal ; la liste des communes et de leurs codes est sur la page du référentiel." });
        const seen = uniques[i];
        if (seen) {
          const key = String(parsed.value);
          const first = seen.get(key);
          if (first !== undefined) fail({ column: name, rule: 'unicite', value: raw, message: `La valeur ${quote(raw)} figure déjà ligne ${first} ; elle doit être unique.`, fix: 'Supprimez le doublon ou corrigez l’identifiant.' });
          else seen.set(key, line);
        }
      }
      if (pkSeen) {
        const parts = primaryKey.map((k) => data[k]);
        if (parts.every((p) => p !== null && p !== undefined)) {
          const key = parts.join('\u0001');
          const first = pkSeen.get(key);
          if (first !== undefined)
            fail({ column: primaryKey.join(' + '), rule: 'cle-primaire', value: parts.join(' / '), message: `La combinaison ${primaryKey.join(' + ')} = ${quote(parts.join(' / '))} figure déjà ligne ${first}.`, fix: 'Chaque combinaison doit être unique : regroupez les deux lignes en une seule.' });
          else pkSeen.set(key, line);
        }
      }
      for (const c of controls) {
        if (c.type === 'somme') {
          const total = data[c.total];
          if (typeof total !== 'number') continue;
          const parts = c.parties.map((p) => data[p]);
          if (parts.some((p) => p !== null && typeof p !== 'number')) continue;
          const sum = parts.reduce<number>((s, p) => s + ((p as number | null) ?? 0), 0);
          if (Math.abs(sum - total) > 1e-9)
            fail({ column: c.total, rule: 'somme', value: String(total), message: `${quote(c.total)} vaut ${total} mais la somme ${c.parties.join(' + ')} vaut ${sum}.`, fix: `Le total doit être égal à la somme de ses parties : corrigez ${quote(c.total)} ou l'une des colonnes ${c.parties.join(', ')}.` });
        } else {
          const a = data[c.champ];
          const b = data[c.limite];
          if (a === null || b === null || a === undefined || b === undefined) continue;
          if (!(a <= b)) {
            // Dates are ISO strings here, so they compare in time order; the message then speaks of dates.
            const dates = typeof a === 'string' && /^\d{4}-\d{2}/.test(a);
            fail({
              column: c.champ,
              rule: 'inferieur-ou-egal',
              value: String(a),
              message: dates
                ? `${quote(c.champ)} (${a}) devrait être antérieure ou égale à ${quote(c.limite)} (${b}).`
                : `${quote(c.champ)} (${a}) devrait être inférieur ou égal à ${quote(c.limite)} (${b}).`,
              fix: dates
                ? `Vérifiez ces deux dates : ${quote(c.champ)} ne peut pas être postérieure à ${quote(c.limite)}.`
                : `Vérifiez ces deux valeurs : ${quote(c.champ)} ne peut pas dépasser ${quote(c.limite)}.`,
            });
          }
        }
      }
      if (valid) summary.rowsValid++;
      else summary.rowsInvalid++;
      return valid ? { valid: true, data } : { valid: false, data };
    },

    fileProblem(p) {
      headerSeen = true; // an unreadable file has no header to check: only this problem is reported
      headerBlocking = true;
      const problem: Problem = { line: p.line ?? 0, severity: 'erreur', ...p };
      headerProblems.push(problem);
      summary.errors++;
      summary.byRule[p.rule] = (summary.byRule[p.rule] ?? 0) + 1;
    },

    report(file) {
      const d = decide(policy, { headerBlocking, rowsTotal: summary.rowsTotal, rowsValid: summary.rowsValid });
      summary.rowsAccepted = d.rowsAccepted;
      return {
        schema: { name: schema.name, version: schema.version, title: schema.title },
        policy,
        status: d.status,
        verdict: d.verdict,
        summary: { ...summary, byRule: { ...summary.byRule }, byColumn: { ...summary.byColumn } },
        header: [...headerProblems],
        problems: [...problems],
        truncated: dropped > 0,
        file,
      };
    },
  };
}

