
g{"account":"a","account":"b"}