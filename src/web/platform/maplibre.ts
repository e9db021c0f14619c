// MapLibre as an ES module: its worker is bundled by Vite and its URL given to MapLibre after bundling.
import 'maplibre-gl/dist/maplibre-gl.css';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';

let ready = false;
export function loadMaplibre() {
  if (!ready) {
    maplibregl.setWorkerUrl(workerUrl);
    ready = true;
  }
  return maplibregl;
}
