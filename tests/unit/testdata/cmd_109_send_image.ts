const piBuff = fs.readFileSync('./test.jpg')
const sendPic = {
  "code": 109,
  "authKey": "XXXXXX",
  "data": {
    "account":"juxiaoxiong",
    "imgBuff": new Buffer(piBuff).toString('base64'),
    "toUserWxId": "qq512436430",
  }
}
