// The CLI as a library: `main(argv)` returns the exit code the `glance-import` command exits with.
export { main, type Io } from './main.js';
export { cliErrors } from './errors.js';
