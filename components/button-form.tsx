"use client";

/**
 * A form that is only a button: it posts its hidden `fields` (usually one id) to a server action. The admin pages'
 * row controls (send a test, enable or disable, delete, activate) are all this form, so the confirmation step and the
 * disabled-while-pending button behave the same everywhere. The caller keeps the action's state from
 * `useActionState`, because what the result shows, and where, differs per control.
 */
export function ButtonForm({
  action,
  fields,
  label,
  className,
  disabled,
  ariaLabel,
  confirm,
}: {
  action: (formData: FormData) => void;
  fields: Record<string, string | number>;
  label: string;
  className: string;
  /** Pending, or done for good (a deleted row). */
  disabled?: boolean;
  ariaLabel?: string;
  /** Asked before posting; cancelling posts nothing. */
  confirm?: string;
}) {
  return (
    <form
      action={action}
      onSubmit={confirm ? (e) => (window.confirm(confirm) ? undefined : e.preventDefault()) : undefined}
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" disabled={disabled} className={className} aria-label={ariaLabel}>
        {label}
      </button>
    </form>
  );
}
