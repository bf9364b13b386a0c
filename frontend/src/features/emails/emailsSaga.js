import createContactsSaga from '../contacts/createContactsSaga';

export default createContactsSaga({ service: 'emails' });
