import { createContext, useContext } from "react";

/** The CSP nonce of this response, given to the few inline scripts Remix renders. Empty in the browser. */
export const NonceContext = createContext("");
export const useNonce = () => useContext(NonceContext);
