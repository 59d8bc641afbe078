"use client";

import { useTranslations } from "next-intl";
import { useActionState, useRef, useState } from "react";
import type { FormResult } from "@/lib/action-result";
import { fenToYuan, formatFen, parseYuan } from "@/lib/money";
import { MAX_REASON_BYTES, reasonBytesLeft, refundReasonText } from "@/lib/wechatpay/reason-limit";
import { requestRefundAction, type RefundRequested } from "./actions";
import { approvalReason, type OrderRefundSums } from "@/lib/refunds/policy";

const FIELD =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-500 focus:outline-none";

export interface RefundFormProps {
  orderId: number;
  remainingFen: number;
  reasons: readonly string[];
  /** The order's sums and its merchant's threshold: the form tells, before sending, whether an approver must act. */
  sums: OrderRefundSums;
  thresholdFen: number;
}

export function RefundForm({ orderId, remainingFen, reasons, sums, thresholdFen }: RefundFormProps) {
  const t = useTranslations("orders.form");
  const [state, action, pending] = useActionState<FormResult<RefundRequested> | null, FormData>(
    requestRefundAction,
    null,
  );
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState(reasons[0] ?? "");
  const [note, setNote] = useState("");
  // WeChat counts the reason in UTF-8 bytes (a Chinese character is 3): the counter counts as WeChat does.
  const bytesLeft = reasonBytesLeft(refundReasonText(reason, note));
  const [confirming, setConfirming] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // The amount stays after a refusal (to correct it, or the password); a recorded refund clears the form.
  const [answered, setAnswered] = useState(state);
  if (state !== answered) {
    setAnswered(state);
    if (state?.ok) {
      setAmount("");
      setNote("");
    }
  }
  const parsed = parseYuan(amount);
  // An amount beyond what remains is refused whatever the threshold: no password is asked for it.
  const needsApproval =
    parsed.ok && parsed.value <= remainingFen && approvalReason(sums, parsed.value, thresholdFen) !== null;
  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  // Field errors arrive as message keys; anything else (a message from elsewhere) is shown as it is.
  const fieldError = (name: string) =>
    errors[name] && (
      <span className="mt-1 block text-xs font-normal text-red-700">
        {errors[name].map((m) => (t.has(`errors.${m}`) ? t(`errors.${m}`) : m)).join(" ")}
      </span>
    );

  return (
    <form
      ref={formRef}
      action={(data) => {
        setConfirming(false);
        action(data);
      }}
      className="space-y-3"
      noValidate
    >
      <input type="hidden" name="orderId" value={orderId} />
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="block text-sm font-medium text-slate-700">
          {t("amount")}
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
              {t("fullRemaining")}
            </button>
          </div>
          <span id="amount-help" className="mt-1 block text-xs font-normal text-slate-500">
            {t("amountHelp", { remaining: formatFen(remainingFen) })}
          </span>
          {fieldError("amount")}
        </label>
        <label className="block text-sm font-medium text-slate-700">
          {t("reason")}
          <select
            name="reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className={FIELD}
            aria-invalid={Boolean(errors.reason)}
          >
            {reasons.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
          {fieldError("reason")}
        </label>
        <label className="block text-sm font-medium text-slate-700">
          {t("note")}
          <input
            name="note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            className={FIELD}
            aria-invalid={Boolean(errors.note) || bytesLeft < 0}
            aria-describedby="note-bytes"
          />
          <span
            id="note-bytes"
            data-testid="reason-bytes-left"
            className={`mt-1 block text-xs font-normal ${bytesLeft < 0 ? "text-red-700" : "text-slate-500"}`}
          >
            {bytesLeft < 0
              ? t("reasonBytesOver", { over: -bytesLeft, max: MAX_REASON_BYTES })
              : t("reasonBytesLeft", { left: bytesLeft, max: MAX_REASON_BYTES })}
          </span>
          {fieldError("note")}
        </label>
        <label className="block text-sm font-medium text-slate-700">
          {t("fundsAccount")}
          <select name="fundsAccount" defaultValue="" className={FIELD}>
            <option value="">{t("fundsUnsettled")}</option>
            <option value="AVAILABLE">{t("fundsAvailable")}</option>
          </select>
          <span className="mt-1 block text-xs font-normal text-slate-500">{t("fundsHelp")}</span>
        </label>
      </div>

      {needsApproval && (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="approval-needed">
          <p className="text-amber-900">{t("approvalNeeded", { threshold: formatFen(thresholdFen) })}</p>
          <label className="mt-2 block max-w-sm font-medium text-amber-900">
            {t("password")}
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              className={`${FIELD} bg-white`}
              aria-invalid={Boolean(errors.password)}
            />
            {fieldError("password")}
          </label>
        </div>
      )}

      {state && !state.ok && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
      {state?.ok && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {state.data.status === "AWAITING_APPROVAL"
            ? t("recordedAwaiting", { outRefundNo: state.data.outRefundNo })
            : t("recorded", { outRefundNo: state.data.outRefundNo })}
        </p>
      )}

      {confirming && parsed.ok ? (
        <div
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm"
          role="dialog"
          aria-label={t("confirmDialog")}
        >
          <p className="font-medium text-amber-900">{t("confirmQuestion", { amount: formatFen(parsed.value) })}</p>
          <p className="mt-1 text-amber-800">{needsApproval ? t("confirmApprovalWarning") : t("confirmWarning")}</p>
          <div className="mt-3 flex gap-2">
            <button
              type="submit"
              disabled={pending}
              className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60"
            >
              {pending ? t("recording") : t("confirm", { amount: formatFen(parsed.value) })}
            </button>
            <button
              type="button"
              onClick={() => setConfirming(false)}
              className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-amber-100"
            >
              {t("back")}
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
          {t("review")}
        </button>
      )}
    </form>
  );
}
