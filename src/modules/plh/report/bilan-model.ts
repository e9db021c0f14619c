// The bilan's content, composed from plain data with no I/O: what the HTML, DOCX and PDF renderers all show,
// so the three formats carry the same figures, each with its source and date.
import {
  AIDE_TYPES,
  CATEGORIE_LABELS,
  FONCIER_STATUTS,
  mergeAchievements,
  sruProgress,
  sruSituation,
  targetStatus,
  triennialPeriod,
  type AchievementRow,
  type AideAccordee,
  type AideType,
  type Categorie,
  type FoncierStatut,
  type SruInventaire,
  type SruProgress,
  type SruSituation,
  type TargetStatus,
} from '../model.ts';
import type { Action, Budget, ProgrammeData } from '../ingest/programme-sheet.ts';

export interface BilanInputs {
  annee: number;
  triennal: boolean;
  genereLe: Date;
  territoire: string;
  programme: ProgrammeData | null;
  programmeMisAJour: Date | null;
  communes: { code: string; nom: string }[];
  realisations: AchievementRow[];
  /** Achievements computed by other modules (dwellings authorised from Sitadel…). */
  platform?: AchievementRow[];
  aides: AideAccordee[];
  sru: (Pick<SruInventaire, 'communeCode' | 'annee' | 'population' | 'residencesPrincipales' | 'logementsSociaux' | 'tauxLegal' | 'exemptee' | 'source'> & {
    nom: string;
    updatedAt: Date;
  })[];
  foncier: { statut: FoncierStatut; nature: string; logementsPotentiels: number; surfaceM2: number }[];
  contours?: { code: string; geometry: unknown }[];
  /** The contours' source and vintage, as the territory module recorded them. */
  contourSource?: { source: string; millesime: number };
}

interface CommuneTarget extends TargetStatus {
  communeNom: string;
  /** Achieved within the bilan's own period (the year, or the three years). */
  realisePeriode: number;
}

interface ActionLine {
  code: string;
  titre: string;
  orientation: string;
  pilote: string;
  statut: Action['statut'];
  commentaire: string;
  budgetPrevu: number;
  budgetDepense: number;
  indicateur: Categorie | null;
  objectif: number | null;
  realise: number | null;
}

interface SruLine {
  communeCode: string;
  nom: string;
  inventaireAnnee: number;
  residencesPrincipales: number;
  logementsSociaux: number;
  tauxLegal: number;
  exemptee: boolean;
  situation: SruSituation;
  periode: { debut: number; fin: number };
  progression: SruProgress;
  source: string;
  misAJour: Date;
}

interface SourceNote {
  figure: string;
  source: string;
  date: string;
}

export interface Bilan {
  titre: string;
  type: 'annuel' | 'triennal';
  annee: number;
  periode: { debut: number; fin: number };
  genereLe: string;
  territoire: string;
  programme: { nom: string; anneeDebut: number; anneeFin: number } | null;
  objectifs: CommuneTarget[];
  /** Per category, the whole territory: sum of targets and of achievements. */
  totaux: { categorie: Categorie; objectif: number; realise: number; realisePeriode: number }[];
  actions: ActionLine[];
  aides: { type: AideType; dossiers: number; montantEuros: number; logements: number }[];
  sru: SruLine[];
  foncier: { statut: FoncierStatut; sites: number; logementsPotentiels: number; surfaceM2: number }[];
  carte: { code: string; nom: string; taux: number | null; geometry: unknown }[];
  sources: SourceNote[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function composeBilan(i: BilanInputs): Bilan {
  const periode = i.triennal ? { debut: i.annee - 2, fin: i.annee } : { debut: i.annee, fin: i.annee };
  const names = new Map(i.communes.map((c) => [c.code, c.nom]));
  const achievements = mergeAchievements(i.realisations, i.aides, i.platform ?? []);
  const inPeriod = (y: number) => y >= periode.debut && y <= periode.fin;
  const p = i.programme;

  const objectifs: CommuneTarget[] = (p?.objectifs ?? [])
    // A target whose period has not started by the end of the bilan's period has nothing to report yet.
    .filter((o) => o.anneeDebut <= periode.fin)
    .map((o) => {
      const t = targetStatus(o, achievements, periode.fin);
      const realisePeriode = achievements
        .filter((r) => r.communeCode === o.communeCode && r.categorie === o.categorie && inPeriod(r.annee) && r.annee >= o.anneeDebut && r.annee <= o.anneeFin)
        .reduce((s, r) => s + r.valeur, 0);
      return { ...t, communeNom: names.get(o.communeCode) ?? o.communeCode, realisePeriode };
    })
    .sort((a, b) => a.communeNom.localeCompare(b.communeNom, 'fr') || a.categorie.localeCompare(b.categorie) || a.anneeDebut - b.anneeDebut);

  const totaux = [...new Set(objectifs.map((o) => o.categorie))].map((categorie) => {
    const rows = objectifs.filter((o) => o.categorie === categorie);
    return {
      categorie,
      objectif: rows.reduce((s, r) => s + r.objectif, 0),
      realise: rows.reduce((s, r) => s + r.realise, 0),
      realisePeriode: rows.reduce((s, r) => s + r.realisePeriode, 0),
    };
  });

  const orientationTitle = new Map((p?.orientations ?? []).map((o) => [o.code, o.titre]));
  const budgetsOf = (code: string) => (p?.budgets ?? []).filter((b: Budget) => b.actionCode === code && inPeriod(b.annee));
  const actions: ActionLine[] = (p?.actions ?? []).map((a) => {
    const linked = objectifs.filter((o) => o.actionCode === a.code || (a.indicateurCategorie && o.categorie === a.indicateurCategorie && !o.actionCode));
    const budgets = budgetsOf(a.code);
    return {
      code: a.code,
      titre: a.titre,
      orientation: orientationTitle.get(a.orientationCode) || a.orientationCode,
      pilote: a.pilote,
      statut: a.statut,
      commentaire: a.commentaire,
      budgetPrevu: budgets.reduce((s, b) => s + b.prevuEuros, 0),
      budgetDepense: budgets.reduce((s, b) => s + b.depenseEuros, 0),
      indicateur: a.indicateurCategorie,
      objectif: linked.length ? linked.reduce((s, o) => s + o.objectif, 0) : null,
      realise: linked.length ? linked.reduce((s, o) => s + o.realise, 0) : null,
    };
  });

  const aidesInPeriod = i.aides.filter((a) => inPeriod(a.annee));
  const aides = AIDE_TYPES.map((type) => {
    const rows = aidesInPeriod.filter((a) => a.type === type);
    return {
      type,
      dossiers: rows.length,
      montantEuros: rows.reduce((s, a) => s + a.montantEuros, 0),
      logements: rows.reduce((s, a) => s + (a.type === 'logement_social' ? a.nbPlai + a.nbPlus + a.nbPls || a.nbLogements : a.nbLogements), 0),
    };
  }).filter((a) => a.dossiers > 0);

  const sruPeriode = triennialPeriod(i.annee);
  const taux = p?.tauxRattrapageSru;
  const sru: SruLine[] = i.sru.map((s) => {
    const situation = sruSituation({ residencesPrincipales: s.residencesPrincipales, logementsSociaux: s.logementsSociaux, tauxLegal: s.tauxLegal, tauxRattrapage: taux });
    const produced = i.aides.filter((a) => a.type === 'logement_social' && a.communeCode === s.communeCode && a.annee >= sruPeriode.debut && a.annee <= sruPeriode.fin);
    const progression = sruProgress(s.exemptee ? 0 : situation.objectifTriennal, {
      plai: produced.reduce((x, a) => x + a.nbPlai, 0),
      plus: produced.reduce((x, a) => x + a.nbPlus, 0),
      pls: produced.reduce((x, a) => x + a.nbPls, 0),
    });
    return {
      communeCode: s.communeCode,
      nom: s.nom,
      inventaireAnnee: s.annee,
      residencesPrincipales: s.residencesPrincipales,
      logementsSociaux: s.logementsSociaux,
      tauxLegal: s.tauxLegal,
      exemptee: s.exemptee,
      situation,
      periode: sruPeriode,
      progression,
      source: s.source,
      misAJour: s.updatedAt,
    };
  });

  const foncier = FONCIER_STATUTS.map((statut) => {
    const rows = i.foncier.filter((f) => f.statut === statut);
    return { statut, sites: rows.length, logementsPotentiels: rows.reduce((s, f) => s + f.logementsPotentiels, 0), surfaceM2: rows.reduce((s, f) => s + f.surfaceM2, 0) };
  }).filter((f) => f.sites > 0);

  // The map shades each commune by the achievement rate of its housing targets (all categories together).
  const rateOf = (code: string) => {
    const rows = objectifs.filter((o) => o.communeCode === code);
    const obj = rows.reduce((s, r) => s + r.objectif, 0);
    return obj > 0 ? rows.reduce((s, r) => s + r.realise, 0) / obj : null;
  };
  const carte = (i.contours ?? []).map((c) => ({ code: c.code, nom: names.get(c.code) ?? c.code, taux: rateOf(c.code), geometry: c.geometry }));

  const sources: SourceNote[] = [];
  const genere = isoDay(i.genereLe);
  if (p) sources.push({ figure: 'Programme d’actions, objectifs et budgets', source: `PLH « ${p.nom} » (${p.anneeDebut}–${p.anneeFin}), saisi ou importé dans Habitat Commun`, date: i.programmeMisAJour ? isoDay(i.programmeMisAJour) : genere });
  const figures = [...i.realisations, ...(i.platform ?? [])].filter((r) => r.annee <= periode.fin);
  const entered = [...new Set(figures.map((r) => r.source))].sort();
  for (const s of entered) {
    const rows = figures.filter((r) => r.source === s);
    sources.push({ figure: `Réalisations : ${[...new Set(rows.map((r) => CATEGORIE_LABELS[r.categorie]))].join(', ')}`, source: s, date: `années ${Math.min(...rows.map((r) => r.annee))}–${Math.max(...rows.map((r) => r.annee))}` });
  }
  if (i.aides.length) sources.push({ figure: 'Aides accordées, logements sociaux financés (dont PLAI, PLUS, PLS)', source: 'Registre des aides accordées par l’EPCI (Habitat Commun)', date: `état au ${genere}` });
  for (const s of [...new Set(i.sru.map((x) => `${x.source}|${x.annee}`))].sort()) {
    const [source, annee] = s.split('|');
    sources.push({ figure: 'Inventaire SRU (résidences principales, logements sociaux décomptés)', source, date: `inventaire au 1er janvier ${annee}` });
  }
  if (i.sru.length)
    sources.push({
      figure: 'Déficit et objectif triennal SRU',
      source: `Calcul Habitat Commun : CCH L302-5 (taux légal), L302-8 (PLAI ≥ 30 %, PLS ≤ 30 %), rattrapage de ${Math.round((taux ?? 0.33) * 100)} % du déficit par période triennale (loi 3DS)`,
      date: genere,
    });
  if (i.foncier.length) sources.push({ figure: 'Gisements fonciers et friches', source: 'Observatoire du foncier de l’EPCI (Habitat Commun)', date: `état au ${genere}` });
  if (carte.length && i.contourSource) sources.push({ figure: 'Contours des communes (carte)', source: i.contourSource.source, date: `millésime ${i.contourSource.millesime}` });

  const titre = i.triennal
    ? `Bilan triennal ${periode.debut}–${periode.fin} du programme local de l’habitat`
    : `Bilan annuel ${i.annee} du programme local de l’habitat`;
  return {
    titre,
    type: i.triennal ? 'triennal' : 'annuel',
    annee: i.annee,
    periode,
    genereLe: genere,
    territoire: i.territoire,
    programme: p ? { nom: p.nom, anneeDebut: p.anneeDebut, anneeFin: p.anneeFin } : null,
    objectifs,
    totaux,
    actions,
    aides,
    sru,
    foncier,
    carte,
    sources,
  };
}

