// Every table of the interface sits in this region: a table wider than the screen (a phone, a zoom at 200 %) scrolls
// sideways inside it instead of the page, and the region can take the keyboard's focus so that the arrow keys scroll
// it (WCAG 2.1.1; axe's « scrollable-region-focusable »). A screen reader announces it by the table's caption, read
// from the table itself, or by `label` when the table has none.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export function TableWrap({ label, children }: { label?: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [name, setName] = useState(label);
  // After every render: the caption may change with the data (a year, a type of property).
  useLayoutEffect(() => {
    setName(label ?? (ref.current?.querySelector('caption')?.textContent?.trim() || 'Tableau'));
  });
  return (
    <div ref={ref} className="table-wrap" role="region" aria-label={name} tabIndex={0}>
      {children}
    </div>
  );
}
