// The pages of the web app. Each module adds its pages here: path, label in the menu (if any), who sees the link.
import type { ReactElement } from 'react';
import { HomePage } from './modules/territory/HomePage.tsx';
import { LoginPage } from './modules/access/LoginPage.tsx';
import { SpacePage } from './modules/access/SpacePage.tsx';
import { AidsHomePage } from './modules/aids/AidsHomePage.tsx';
import { SimulatorPage } from './modules/aids/SimulatorPage.tsx';
import { TablesPage } from './modules/aids/TablesPage.tsx';
import { LocalAidsPage } from './modules/aids/LocalAidsPage.tsx';
import { CotationPage } from './modules/demand/CotationPage.tsx';
import { ApplicantPage } from './modules/demand/ApplicantPage.tsx';
import { DemandsPage } from './modules/demand/DemandsPage.tsx';
import { DemandPage } from './modules/demand/DemandPage.tsx';
import { GridsPage } from './modules/demand/GridsPage.tsx';
import { ReferentialPage } from './modules/referential/ReferentialPage.tsx';
import { SchemaPage } from './modules/referential/SchemaPage.tsx';
import { DeliveryPage } from './modules/referential/DeliveryPage.tsx';
import { DeliveryReportPage } from './modules/referential/DeliveryReportPage.tsx';
import { CompliancePage } from './modules/referential/CompliancePage.tsx';
import { communePricesPage, priceMethodPage, priceSearchPage, pricesMapPage } from './modules/market/lazyPages.tsx';
import { EnergyPage } from './modules/stock/EnergyPage.tsx';
import { StockPage } from './modules/stock/StockPage.tsx';
import { PlhPage } from './modules/plh/PlhPage.tsx';
import { SruPage } from './modules/plh/SruPage.tsx';
import { FoncierPage } from './modules/plh/FoncierPage.tsx';
import { AidesPage } from './modules/plh/AidesPage.tsx';

import { ConstructionDashboardPage } from './modules/construction/ConstructionDashboardPage.tsx';
import { ProgrammesPage } from './modules/construction/ProgrammesPage.tsx';
import { ProgrammePage } from './modules/construction/ProgrammePage.tsx';
import { PublicConstructionPage } from './modules/construction/PublicConstructionPage.tsx';
import { SourcesPage } from './modules/sources/SourcesPage.tsx';
import { PortraitPage } from './modules/observatory/PortraitPage.tsx';
export interface PageRoute {
  path: string;
  element: ReactElement;
  /** Label in the main menu; no label = not in the menu. */
  label?: string;
  /** 'public' links show to everyone; 'connected' only once signed in. */
  audience?: 'public' | 'connected';
}

export const routes: PageRoute[] = [
  { path: '/', element: <HomePage />, label: 'Le territoire', audience: 'public' },
  { path: '/territoire/communes/:code', element: <PortraitPage level="commune" /> },
  { path: '/territoire/epci/:siren', element: <PortraitPage level="epci" /> },
  { path: '/connexion', element: <LoginPage /> },
  { path: '/espace', element: <SpacePage />, label: 'Mon espace', audience: 'connected' },
  { path: '/prix', element: pricesMapPage, label: 'Prix de l’immobilier', audience: 'public' },
  { path: '/prix/communes/:code', element: communePricesPage },
  { path: '/prix/methode', element: priceMethodPage },
  { path: '/prix/recherche', element: priceSearchPage },
  { path: '/aides', element: <AidsHomePage />, label: 'Aides au logement', audience: 'public' },
  { path: '/aides/baremes', element: <TablesPage /> },
  { path: '/aides/gestion', element: <LocalAidsPage />, label: 'Aides de l’EPCI', audience: 'connected' },
  { path: '/aides/:simulateur', element: <SimulatorPage /> },
  { path: '/cotation', element: <CotationPage />, label: 'Cotation des demandes', audience: 'public' },
  { path: '/cotation/ma-demande', element: <ApplicantPage /> },
  { path: '/demandes', element: <DemandsPage />, label: 'Demandes de logement social', audience: 'connected' },
  { path: '/demandes/:numero', element: <DemandPage /> },
  { path: '/cotation/grilles', element: <GridsPage />, label: 'Grilles de cotation', audience: 'connected' },
  { path: '/referentiel', element: <ReferentialPage />, label: 'Référentiel des données', audience: 'public' },
  { path: '/referentiel/schemas/:name', element: <SchemaPage /> },
  { path: '/referentiel/livrer', element: <DeliveryPage />, label: 'Livrer des données', audience: 'connected' },
  { path: '/referentiel/livraisons/:id', element: <DeliveryReportPage /> },
  { path: '/referentiel/conformite', element: <CompliancePage />, label: 'Conformité des partenaires', audience: 'connected' },
  { path: '/parc-social', element: <EnergyPage />, label: 'Parc social et énergie', audience: 'public' },
  { path: '/parc-social/gestion', element: <StockPage />, label: 'Gestion du parc social', audience: 'connected' },
  { path: '/plh', element: <PlhPage />, label: 'Pilotage du PLH', audience: 'connected' },
  { path: '/plh/sru', element: <SruPage />, label: 'Communes SRU', audience: 'public' },
  { path: '/plh/foncier', element: <FoncierPage />, label: 'Observatoire du foncier', audience: 'connected' },
  { path: '/plh/aides', element: <AidesPage />, label: 'Aides accordées', audience: 'connected' },
  { path: '/construction', element: <ConstructionDashboardPage />, label: 'Construction neuve : objectifs', audience: 'connected' },
  { path: '/construction/programmes', element: <ProgrammesPage />, label: 'Programmes de logements', audience: 'connected' },
  { path: '/construction/programmes/:id', element: <ProgrammePage /> },
  { path: '/construction-neuve', element: <PublicConstructionPage />, label: 'Construction neuve', audience: 'public' },
  { path: '/sources', element: <SourcesPage />, label: 'Sources et couverture', audience: 'public' },
];
