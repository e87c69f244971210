"""The ICD-10-CM code set: read from the simple-icd-10-cm package, loaded into the code tables, searched, looked up."""
