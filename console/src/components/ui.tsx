// Small shared pieces: error and success notices (announced to screen
// readers), a loader hook, a credential shown once, and dialogs.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/client.js';

export function ErrorNotice({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div class="notice error" role="alert">
      <strong>Error. </strong>
      <span class="notice-text">{describeError(error)}</span>
      {onDismiss && <button type="button" class="link" onClick={onDismiss}>Dismiss</button>}
    </div>
  );
}

export function Success({ children }: { children: ComponentChildren }) {
  return <div class="notice ok" role="status">{children}</div>;
}

export function Unavailable({ what, children }: { what: string; children?: ComponentChildren }) {
  return (
    <div class="notice info" role="status">
      <strong>{what} is not available</strong> on this gateway's API yet. {children}
    </div>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `fn` on mount and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => { if (mine === seq.current) setState({ data, loading: false }); },
      (error) => { if (mine === seq.current) setState({ error, loading: false }); },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Wraps an action: tracks busy state and the last error, so every failure is shown in words. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="small"
      aria-label={`Copy ${label}`}
      onClick={async () => {
        try { await navigator.clipboard.writeText(value); setDone(true); setTimeout(() => setDone(false), 1500); } catch { /* clipboard blocked: the value is selectable */ }
      }}
    >{done ? 'Copied' : 'Copy'}</button>
  );
}

/** A secret the API returns once (password, token): shown with a warning until dismissed. */
export function SecretOnce({ title, rows, onDone, children }: {
  title: string;
  rows: { label: string; value: string; secret?: boolean }[];
  onDone: () => void;
  children?: ComponentChildren;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  return (
    <section class="secret" aria-labelledby="secret-title" tabIndex={-1} ref={ref}>
      <h2 id="secret-title">{title}</h2>
      <p class="warn">Shown once: copy it now. The gateway keeps only a hash and cannot show it again.</p>
      <dl class="kv">
        {rows.map((r) => (
          <div key={r.label}>
            <dt>{r.label}</dt>
            <dd><code class={r.secret ? 'secret-value' : undefined} data-secret={r.label}>{r.value}</code> <CopyButton value={r.value} label={r.label} /></dd>
          </div>
        ))}
      </dl>
      {children}
      <button type="button" onClick={onDone}>I have saved it</button>
    </section>
  );
}

/** A modal dialog (native <dialog>: focus moves in, Escape closes) asking for confirmation and optionally a reason. */
export function ActionDialog({ title, description, confirmLabel, reasonLabel, reasonRequired, danger, onConfirm, onClose }: {
  title: string;
  description?: ComponentChildren;
  confirmLabel: string;
  reasonLabel?: string;
  reasonRequired?: boolean;
  danger?: boolean;
  onConfirm: (reason: string) => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // Back to the control that opened the dialog, also when it is closed by re-rendering.
    return () => { if (opener?.isConnected) opener.focus(); };
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="dlg-title" onClose={onClose}>
      <form
        method="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await run(async () => { await onConfirm(reason.trim()); return true; });
          if (ok) ref.current?.close();
        }}
      >
        <h2 id="dlg-title">{title}</h2>
        {description && <div>{description}</div>}
        {reasonLabel && (
          <label>
            {reasonLabel}
            <textarea name="reason" rows={3} required={reasonRequired} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          </label>
        )}
        <ErrorNotice error={error} />
        <div class="row">
          <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>{busy ? 'Working…' : confirmLabel}</button>
          <button type="button" onClick={() => ref.current?.close()}>Cancel</button>
        </div>
      </form>
    </dialog>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // Move focus to the page title on navigation so keyboard and screen-reader users land on the new page.
  useEffect(() => { ref.current?.focus(); }, [title]);
  return (
    <header class="page-header">
      <h1 tabIndex={-1} ref={ref}>{title}</h1>
      {children && <div class="page-actions">{children}</div>}
    </header>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="muted" role="status" aria-live="polite">Loading {what}…</p>;
}
