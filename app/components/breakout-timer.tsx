import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { dateFormatter } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";

/**
 * A countdown as the server keeps it: its end, the server's clock when that was sent and, once it reached the
 * browser, how far the browser's clock is from the server's. The browser's own clock is never trusted for the end.
 */
export interface ServerTimer {
  endsAt: string | null;
  serverNow: string;
  /** serverNow − Date.now() when the payload arrived; unknown for data rendered on the server. */
  offsetMs: number | null;
}

/** A timer payload as it arrives over the socket: the offset is taken now, at receipt. */
export function receivedTimer(endsAt: string | null, serverNow: string): ServerTimer {
  return { endsAt, serverNow, offsetMs: Date.parse(serverNow) - Date.now() };
}

/** Seconds left at which the countdown warns. */
export const WARNING_SECONDS = 60;

type Phase = "none" | "running" | "warning" | "up";

function phaseOf(endsAt: string | null, leftMs: number): Phase {
  if (!endsAt) return "none";
  if (leftMs <= 0) return "up";
  return leftMs <= WARNING_SECONDS * 1000 ? "warning" : "running";
}

function useRemaining(timer: ServerTimer): number {
  const endsAt = timer.endsAt ? Date.parse(timer.endsAt) : null;
  // The first render (on the server and at hydration) counts from the server's clock, so both agree.
  const [left, setLeft] = useState(() => (endsAt === null ? 0 : endsAt - Date.parse(timer.serverNow)));
  useEffect(() => {
    if (endsAt === null) {
      setLeft(0);
      return;
    }
    const offset = timer.offsetMs ?? Date.parse(timer.serverNow) - Date.now();
    const tick = () => setLeft(endsAt - (Date.now() + offset));
    tick();
    const id = window.setInterval(tick, 250);
    return () => window.clearInterval(id);
  }, [endsAt, timer.serverNow, timer.offsetMs]);
  return left;
}

/** "4:05", or "1:04:05" past an hour, with digits in the reader's locale. */
function clock(leftMs: number, locale: string): string {
  const total = Math.max(0, Math.ceil(leftMs / 1000));
  const two = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
  const one = new Intl.NumberFormat(locale, { useGrouping: false });
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return hours > 0 ? `${one.format(hours)}:${two.format(minutes)}:${two.format(seconds)}` : `${one.format(minutes)}:${two.format(seconds)}`;
}

/**
 * The countdown every room and the console show. The number itself is not read out every second; the
 * polite announcement says when it starts or changes, when one minute is left, and when time is up.
 */
export function BreakoutTimer({ timer }: { timer: ServerTimer }) {
  const { t } = useTranslation("breakoutRoom");
  const prefs = useFormatPrefs();
  const left = useRemaining(timer);
  const phase = phaseOf(timer.endsAt, left);
  const announcement =
    phase === "warning"
      ? t("timer.warning")
      : phase === "up"
        ? t("timer.up")
        : phase === "running" && timer.endsAt
          ? t("timer.endsAt", {
              time: dateFormatter(prefs.locale, { timeStyle: "short", timeZone: prefs.timeZone }).format(new Date(timer.endsAt)),
            })
          : "";
  return (
    <div className={`breakout-timer breakout-timer--${phase}`} data-testid="breakout-timer" data-phase={phase}>
      {phase === "none" ? (
        <p className="muted">{t("timer.none")}</p>
      ) : (
        <p className="breakout-timer__clock" role="timer" suppressHydrationWarning>
          {phase === "up" ? t("timer.up") : t("timer.left", { time: clock(left, prefs.locale) })}
        </p>
      )}
      <p
        className={phase === "warning" ? "breakout-timer__warning" : "visually-hidden"}
        role="status"
        aria-live="polite"
        suppressHydrationWarning
      >
        {announcement}
      </p>
    </div>
  );
}
