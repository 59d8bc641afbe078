const FORMAT = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** Beijing time, as WeChat Pay and the merchant platform show it. */
export function formatBeijing(date: Date): string {
  return FORMAT.format(date).replace(/\//g, "-");
}

export function DateTime({ value }: { value: Date | null }) {
  if (!value) return <span className="text-slate-400">—</span>;
  return (
    <time dateTime={value.toISOString()} className="tabular-nums whitespace-nowrap">
      {formatBeijing(value)}
    </time>
  );
}
