import type { ReactNode } from "react";

/** Label-over-value pairs for one record's fields, in as many columns as the width allows. */
export function DetailList({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <dl className={`grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3 lg:grid-cols-4 ${className}`}>{children}</dl>;
}

/** One field; an empty value shows as a dash, so a missing ID is visibly missing rather than blank. */
export function Detail({
  label,
  children,
  mono = false,
  wide = false,
}: {
  label: string;
  children: ReactNode;
  mono?: boolean;
  wide?: boolean;
}) {
  const empty = children === null || children === undefined || children === "";
  return (
    <div className={wide ? "col-span-2" : ""}>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className={`mt-0.5 break-all text-slate-900 ${mono ? "font-mono text-xs" : "text-sm"}`}>
        {empty ? <span className="text-slate-400">—</span> : children}
      </dd>
    </div>
  );
}
