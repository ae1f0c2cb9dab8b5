// The process-level tests run the API from source exactly as `npm start` does.
require('../../scripts/run-ts.cjs');
