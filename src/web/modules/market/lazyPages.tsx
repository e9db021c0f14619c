// The portal's pages, loaded on demand: the first page of the site does not pay for their code.
import { lazy, Suspense, type ComponentType } from 'react';

function lazyPage(load: () => Promise<ComponentType>) {
  const Page = lazy(async () => ({ default: await load() }));
  return (
    <Suspense fallback={<p className="page-loading">Chargement…</p>}>
      <Page />
    </Suspense>
  );
}

export const pricesMapPage = lazyPage(() => import('./PricesMapPage.tsx').then((m) => m.PricesMapPage));
export const communePricesPage = lazyPage(() => import('./CommunePricesPage.tsx').then((m) => m.CommunePricesPage));
export const priceMethodPage = lazyPage(() => import('./MethodPage.tsx').then((m) => m.MethodPage));
export const priceSearchPage = lazyPage(() => import('./SearchPage.tsx').then((m) => m.SearchPage));
