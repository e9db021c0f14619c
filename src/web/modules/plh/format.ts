// A rate as the PLH pages write it: a percentage in French, or a dash when there is none.
export const pct = (x: number | null, digits = 1) => (x === null ? '—' : `${(x * 100).toLocaleString('fr-FR', { maximumFractionDigits: digits, minimumFractionDigits: digits })} %`);
