"use client";

import { useActionState, useRef, useState } from "react";
import type { ActionResult } from "@/lib/action-result";
import { fenToYuan, formatFen, parseYuan } from "@/lib/money";
import { requestRefundAction } from "./actions";

const FIELD = "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-500 focus:outline-none";

export function RefundForm({ orderId, remainingFen, reasons }: { orderId: number; remainingFen: number; reasons: readonly string[] }) {
  const [state, action, pending] = useActionState<ActionResult<{ outRefundNo: string }> | null, FormData>(requestRefundAction, null);
  const [amount, setAmount] = useState("");
  const [confirming, setConfirming] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const parsed = parseYuan(amount);
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};

  return (
    <form
      ref={formRef}
      action={(data) => {
        setConfirming(false);
        action(data);
        if (parsed.ok) setAmount("");
      }}
      className="space-y-3"
      noValidate
    >
      <input type="hidden" name="orderId" value={orderId} />
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="block text-sm font-medium text-slate-700">
          Amount (¥)
          <div className="flex gap-2">
            <input
              name="amount"
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(e) => {
                setAmount(e.target.value);
                setConfirming(false);
              }}
              placeholder={fenToYuan(remainingFen)}
              aria-invalid={Boolean(errors.amount)}
              aria-describedby="amount-help"
              className={`${FIELD} text-right tabular-nums`}
            />
            <button
              type="button"
              onClick={() => setAmount(fenToYuan(remainingFen))}
              className="mt-1 shrink-0 rounded-md border border-slate-300 px-2.5 text-xs font-medium text-slate-700 hover:bg-slate-50"
            >
              Full remaining
            </button>
          </div>
          <span id="amount-help" className="mt-1 block text-xs font-normal text-slate-500">
            Up to {formatFen(remainingFen)}, at most two decimals.
          </span>
          {errors.amount && <span className="mt-1 block text-xs font-normal text-red-700">{errors.amount.join(" ")}</span>}
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Reason (shown to the payer)
          <select name="reason" defaultValue={reasons[0]} className={FIELD}>
            {reasons.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Note (optional, added to the reason)
          <input name="note" maxLength={60} className={FIELD} aria-invalid={Boolean(errors.note)} />
          {errors.note && <span className="mt-1 block text-xs font-normal text-red-700">{errors.note.join(" ")}</span>}
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Funds from
          <select name="fundsAccount" defaultValue="" className={FIELD}>
            <option value="">Unsettled funds (default)</option>
            <option value="AVAILABLE">Available balance</option>
          </select>
          <span className="mt-1 block text-xs font-normal text-slate-500">
            By default WeChat refunds from funds not yet settled to you. Choose the available balance when those run short (error NOT_ENOUGH).
          </span>
        </label>
      </div>

      {state && !state.ok && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {state.error.en} <span className="text-red-600/80">{state.error.zh}</span>
        </p>
      )}
      {state?.ok && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Refund {state.data.outRefundNo} recorded. Its status updates below as WeChat Pay answers.
        </p>
      )}

      {confirming && parsed.ok ? (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" role="dialog" aria-label="Confirm refund">
          <p className="font-medium text-amber-900">
            Refund <span className="tabular-nums">{formatFen(parsed.value)}</span> to the payer?
          </p>
          <p className="mt-1 text-amber-800">Once sent to WeChat Pay a refund cannot be cancelled.</p>
          <div className="mt-3 flex gap-2">
            <button type="submit" disabled={pending} className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60">
              {pending ? "Recording…" : `Confirm refund of ${formatFen(parsed.value)}`}
            </button>
            <button type="button" onClick={() => setConfirming(false)} className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-amber-100">
              Back
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          onClick={() => (parsed.ok ? setConfirming(true) : formRef.current?.requestSubmit())}
          disabled={pending}
          className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
        >
          Review refund…
        </button>
      )}
    </form>
  );
}
