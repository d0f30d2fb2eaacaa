// Child process of the publish suite: start verdaccio with the given config file on 127.0.0.1 and a
// port the system picks, then print that port on stdout. Runs until it is killed, or until its
// parent goes away (stdin closes), so a test run that dies leaves no registry behind.
import verdaccio from 'verdaccio';

const [configFile] = process.argv.slice(2);
process.stdin.on('end', () => process.exit(0)).resume();
const server = await verdaccio.runServer(configFile);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
