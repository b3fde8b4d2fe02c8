/**
 * A version comparison as rendered text (decision 038): headings, lists, marks and tables as they read, with what was
 * added in <ins> and what was removed in <del>, each starting with a visually hidden "inserted:" or "deleted:" so
 * screen readers say it too. A block added or removed whole is marked once, around the block.
 */
import { Fragment, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { DiffBlock, DiffChange, DiffMark, DiffRun } from "../models/document-content.server";

/** Blocks that may sit inside <ins>/<del> (flow content); list items, rows and cells carry the change to their content. */
const WRAPPABLE = new Set(["paragraph", "heading", "codeBlock", "blockquote", "bulletList", "orderedList", "table", "horizontalRule"]);

const SAFE_HREF = /^(https?:|mailto:)/i;

function Marker({ change }: { change: DiffChange }) {
  const { t } = useTranslation("documents");
  return <span className="visually-hidden">{t(change === "added" ? "versions.inserted" : "versions.deleted")} </span>;
}

function Changed({ change, className, children }: { change: DiffChange; className?: string; children: ReactNode }) {
  if (change === "same") return <>{children}</>;
  const Tag = change === "added" ? "ins" : "del";
  return (
    <Tag className={className}>
      <Marker change={change} />
      {children}
    </Tag>
  );
}

function withMarks(text: ReactNode, marks: DiffMark[] | undefined): ReactNode {
  return (marks ?? []).reduceRight<ReactNode>((inner, mark) => {
    switch (mark.type) {
      case "bold":
        return <strong>{inner}</strong>;
      case "italic":
        return <em>{inner}</em>;
      case "strike":
        return <s>{inner}</s>;
      case "underline":
        return <u>{inner}</u>;
      case "code":
        return <code>{inner}</code>;
      case "link": {
        const href = typeof mark.attrs?.href === "string" ? mark.attrs.href : "";
        return SAFE_HREF.test(href) ? (
          <a href={href} rel="noopener noreferrer nofollow">
            {inner}
          </a>
        ) : (
          inner
        );
      }
      default:
        return inner;
    }
  }, text);
}

function Runs({ runs, marked }: { runs: DiffRun[]; marked: boolean }) {
  return (
    <>
      {runs.map((run, i) => {
        const content = run.hardBreak ? <br /> : withMarks(run.text, run.marks);
        // Inside a block added or removed whole, the block's own mark says it all.
        return <Fragment key={i}>{marked ? content : <Changed change={run.change}>{content}</Changed>}</Fragment>;
      })}
    </>
  );
}

const num = (value: unknown) => (typeof value === "number" && value > 1 ? value : undefined);

function Block({ block, change, wrapped }: { block: DiffBlock; change: DiffChange; wrapped: boolean }) {
  const own = block.change !== "same" ? block.change : change;
  if (own !== "same" && !wrapped && WRAPPABLE.has(block.type)) {
    return (
      <Changed change={own} className="diff-block">
        <Block block={block} change={own} wrapped />
      </Changed>
    );
  }
  const className = own === "same" ? undefined : `diff-${own}`;
  const children = (block.content ?? []).map((child, i) => <Block key={i} block={child} change={own} wrapped={wrapped} />);
  const runs = <Runs runs={block.runs ?? []} marked={own !== "same"} />;
  switch (block.type) {
    case "heading": {
      const level = block.attrs?.level;
      const Tag = level === 3 ? "h3" : level === 4 ? "h4" : "h2";
      return <Tag className={className}>{runs}</Tag>;
    }
    case "paragraph":
      return <p className={className}>{runs}</p>;
    case "codeBlock":
      return (
        <pre className={className}>
          <code>{runs}</code>
        </pre>
      );
    case "blockquote":
      return <blockquote className={className}>{children}</blockquote>;
    case "bulletList":
      return <ul className={className}>{children}</ul>;
    case "orderedList":
      return (
        <ol className={className} start={num(block.attrs?.start)}>
          {children}
        </ol>
      );
    case "listItem":
      return <li className={className}>{children}</li>;
    case "horizontalRule":
      return <hr className={className} />;
    case "table":
      return (
        <div className="table-scroll">
          <table className={className}>
            <tbody>{children}</tbody>
          </table>
        </div>
      );
    case "tableRow":
      return <tr className={className}>{children}</tr>;
    case "tableHeader":
    case "tableCell": {
      const Tag = block.type === "tableHeader" ? "th" : "td";
      return (
        <Tag className={className} colSpan={num(block.attrs?.colspan)} rowSpan={num(block.attrs?.rowspan)}>
          {children}
        </Tag>
      );
    }
    default:
      return block.runs ? <p className={className}>{runs}</p> : <div className={className}>{children}</div>;
  }
}

export function DocumentDiff({ blocks, labelledBy }: { blocks: DiffBlock[]; labelledBy: string }) {
  return (
    <div className="diff prose" data-testid="diff" tabIndex={0} role="region" aria-labelledby={labelledBy}>
      {blocks.map((block, i) => (
        <Block key={i} block={block} change="same" wrapped={false} />
      ))}
    </div>
  );
}
