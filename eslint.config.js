// Lint rules for the whole project: typescript-eslint's recommended set and React's hooks rules.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "build/",
      "bench/fixtures/bare-remix/build/",
      "data/",
      "reports/",
      "test-results/",
      "playwright-report/",
      "public/",
      "db/migrations/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "BinaryExpression[operator=/^[!=]==$/] > MemberExpression[property.name='role']",
          message: "Roles are compared only in app/utils/policy.ts: ask can() instead.",
        },
      ],
    },
  },
  {
    files: ["app/utils/policy.ts", "db/seed.ts", "test/**", "bench/**"],
    rules: { "no-restricted-syntax": "off" },
  },
);
