// Child process of the publish suite: start verdaccio with the given config file on 127.0.0.1 and a
// port the system picks, then print that port on stdout. Runs until it is killed.
import verdaccio from 'verdaccio';

const [configFile] = process.argv.slice(2);
const server = await verdaccio.runServer(configFile);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
