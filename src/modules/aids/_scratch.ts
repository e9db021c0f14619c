import { tables } from './tables.ts';
import { simulateSocialHousing } from './simulators/social-housing.ts';
import { simulateOwnership } from './simulators/ownership.ts';
import { simulateRenovation } from './simulators/renovation.ts';
const t = tables();
const p = (a: any) => { for (const x of a.aides) { console.log(x.id, x.verdict, '|', x.resume); for (const c of x.conditions) console.log('   ', c.statut, c.texte, c.table?.verification ?? ''); for (const i of x.informations) console.log('   i:', i);} console.log(a.contexte, a.avertissements); };
p(simulateSocialHousing({ commune: '31555', personnes: 2, revenu_fiscal: 24000, date: '2026-03-01' }, t));
p(simulateSocialHousing({ commune: '31555', personnes: 2, revenu_fiscal: 32000, date: '2026-03-01' }, t));
p(simulateSocialHousing({ zone_logement_social: 'paris_communes_limitrophes', personnes: 3, revenu_fiscal: 20000, annee: 2025 }, t));
p(simulateOwnership({ commune: '69123', personnes: 3, revenu_fiscal: 60000, proprietaire_2_ans: false, type_logement: 'neuf', cout_operation: 300000, date: '2026-03-01' }, t,
  [{ id: 'x', epci_siren: '200046977', kind: 'accession', nom: 'Prime primo', description: 'Aide', montant_euros: 5000, plafond_reference: 'PSLA', primo_accedant_requis: true, types_logement: ['neuf'], categories_mpr: [], classes_dpe: [], communes: [], contact: 'tel', deliberation: 'Délib 2025-01', actif: true }]));
p(simulateRenovation({ commune: '31555', personnes: 2, revenu_fiscal: 30000, statut: 'proprietaire_bailleur', logement_plus_15_ans: true, classe_dpe: 'F', date: '2026-03-01' }, t));
