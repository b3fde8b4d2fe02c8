/** Runs Convene in a child process, so a test can kill it without warning. Prints "listening <port>" once ready. */
import { createConvene } from "../../server/app";
import { parseEnv } from "../../server/env";

const convene = await createConvene(parseEnv(process.env), () => {});
const { port } = await convene.listen();
process.stdout.write(`listening ${port}\n`);
